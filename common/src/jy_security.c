/*  jy_security: CURVE, zauth and the allowed client keys (see jy_security.h). */
#include "journey.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_NO_SECRET        "0000000000000000000000000000000000000000"
#define S_KEY_SIZE         40 //  a key in Z85
#define S_CHECK_TIMEOUT_MS 5000
#define S_GENERATION       "generation" //  in zauth's copy; its size changes on every sync

struct _jy_security_peer_t {
    char key[S_KEY_SIZE + 1]; //  Z85
    char hex[65];             //  its file name in zauth's copy
    char *name;
    char *file;
    zcert_t *cert; //  with the metadata
};

struct _jy_security_t {
    jy_security_role_t role;
    bool curve;
    bool broken;      //  a client's configuration mistake, in error
    char *zap_domain; //  server
    zcert_t *server_cert;
    zcert_t *client_cert;            //  what connecting sockets present
    char server_key[S_KEY_SIZE + 1]; //  what connecting sockets expect
    char *clients_dir;               //  server
    zactor_t *auth;                  //  server, once started
    char *work_dir;                  //  private (0700): scratch files and allowed/
    char *allowed_dir;               //  what zauth reads: public keys only
    zhashx_t *peers;                 //  Z85 key -> jy_security_peer_t
    uint64_t signature;              //  of clients_dir's entries when last read
    struct timespec dir_changed;     //  clients_dir's own mtime when last looked at
    int64_t scanned_at;              //  monotonic ms of the last look at every entry
    unsigned generation;             //  syncs of allowed/
    unsigned revision;               //  reloads that took a key away or changed one
    char error[1024];
};

static jy_security_t *s_process;
static bool s_zauth_running; //  zauth binds the one ZAP endpoint of the process

//  --- Reading the configuration ----------------------------------------------------------------

//  A certificate file named by key: with its secret key (secret) or public. NULL with
//  jy_config_error set.
static zcert_t *s_load_cert (jy_config_t *config, const char *key, bool secret)
{
    const char *path;
    if (jy_config_string (config, key, "", &path))
        return NULL;
    if (!*path) {
        jy_config_fail (config, key,
                        "CURVE is on (security/curve) and no certificate is configured "
                        "(`journey keygen NAME` writes one; docs/security.md)");
        return NULL;
    }
    struct stat info;
    if (stat (path, &info) != 0) {
        jy_config_fail (config, key, "cannot read %s: %s", path, strerror (errno));
        return NULL;
    }
    if (!S_ISREG (info.st_mode)) {
        jy_config_fail (config, key, "%s is not a file", path);
        return NULL;
    }
    //  zcert_load tries PATH_secret first (czmq's own naming), then PATH.
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        jy_config_fail (config, key, "%s is not a CURVE certificate (zcert format)", path);
        return NULL;
    }
    bool has_secret = strcmp (zcert_secret_txt (cert), S_NO_SECRET) != 0;
    if (secret && !has_secret) {
        jy_config_fail (config, key,
                        "%s holds no secret key: name the secret certificate (NAME), not "
                        "NAME.pub",
                        path);
        zcert_destroy (&cert);
        return NULL;
    }
    if (secret && (info.st_mode & 077))
        jy_warning ("%s: %s is readable by other users (mode %04o): chmod 600 it", key, path,
                    (unsigned) (info.st_mode & 07777));
    if (!secret && has_secret)
        jy_warning ("%s: %s holds a secret key: a client needs only the public NAME.pub", key,
                    path);
    return cert;
}

//  -1 with self->error from the configuration's last error.
static int s_failed (jy_security_t *self, jy_config_t *config)
{
    snprintf (self->error, sizeof self->error, "%s", jy_config_error (config));
    self->broken = true;
    return -1;
}

static int s_configure_server (jy_security_t *self, jy_config_t *config)
{
    bool zauth;
    const char *domain, *clients_dir;
    if (jy_config_bool (config, "security/zauth", true, &zauth))
        return s_failed (self, config);
    if (!zauth) {
        jy_config_fail (config, "security/zauth",
                        "CURVE (security/curve = 1) without zauth would let in every client "
                        "that knows the server's public key: set security/zauth = 1");
        return s_failed (self, config);
    }
    if (jy_config_string (config, "security/zap_domain", "journey", &domain))
        return s_failed (self, config);
    if (!*domain || strlen (domain) > 254) {
        jy_config_fail (config, "security/zap_domain",
                        "\"%.64s\" is not a ZAP domain (1 to 254 characters)", domain);
        return s_failed (self, config);
    }
    self->zap_domain = strdup (domain);
    if (jy_config_string (config, "security/clients_dir", "", &clients_dir))
        return s_failed (self, config);
    struct stat info;
    if (!*clients_dir) {
        jy_config_fail (config, "security/clients_dir",
                        "CURVE is on (security/curve) and no directory of allowed client "
                        "certificates is configured");
        return s_failed (self, config);
    }
    const char *why = stat (clients_dir, &info) != 0           ? strerror (errno)
                      : !S_ISDIR (info.st_mode)                ? "not a directory"
                      : access (clients_dir, R_OK | X_OK) != 0 ? strerror (errno)
                                                               : NULL;
    if (why) {
        jy_config_fail (config, "security/clients_dir",
                        "%s cannot be read as a directory of allowed client certificates: %s",
                        clients_dir, why);
        return s_failed (self, config);
    }
    self->clients_dir = strdup (clients_dir);
    self->server_cert = s_load_cert (config, "security/server_secret", true);
    if (!self->server_cert)
        return s_failed (self, config);

    //  Connecting to another daemon's feed: its own certificate unless told otherwise.
    const char *value = jy_config_get (config, "security/client_secret");
    self->client_cert = value && *value ? s_load_cert (config, "security/client_secret", true)
                                        : zcert_dup (self->server_cert);
    if (!self->client_cert)
        return s_failed (self, config);
    value = jy_config_get (config, "security/server_public");
    if (value && *value) {
        zcert_t *server = s_load_cert (config, "security/server_public", false);
        if (!server)
            return s_failed (self, config);
        snprintf (self->server_key, sizeof self->server_key, "%s", zcert_public_txt (server));
        zcert_destroy (&server);
    } else
        snprintf (self->server_key, sizeof self->server_key, "%s",
                  zcert_public_txt (self->server_cert));
    return 0;
}

static int s_configure_client (jy_security_t *self, jy_config_t *config)
{
    self->client_cert = s_load_cert (config, "security/client_secret", true);
    if (!self->client_cert)
        return s_failed (self, config);
    zcert_t *server = s_load_cert (config, "security/server_public", false);
    if (!server)
        return s_failed (self, config);
    snprintf (self->server_key, sizeof self->server_key, "%s", zcert_public_txt (server));
    zcert_destroy (&server);
    return 0;
}

static void s_peer_destroy (void **item)
{
    jy_security_peer_t *peer = (jy_security_peer_t *) *item;
    if (peer) {
        zcert_destroy (&peer->cert);
        free (peer->name);
        free (peer->file);
        free (peer);
        *item = NULL;
    }
}

jy_security_t *jy_security_new (jy_config_t *config, jy_security_role_t role)
{
    assert (config);
    jy_security_t *self = (jy_security_t *) zmalloc (sizeof (jy_security_t));
    assert (self);
    self->role = role;
    self->peers = zhashx_new ();
    assert (self->peers);
    zhashx_set_destructor (self->peers, s_peer_destroy);
    if (jy_config_bool (config, "security/curve", false, &self->curve))
        s_failed (self, config);
    else if (self->curve)
        (void) (role == JY_SECURITY_SERVER ? s_configure_server (self, config)
                                           : s_configure_client (self, config));
    if (self->broken && role == JY_SECURITY_SERVER)
        jy_security_destroy (&self);
    return self;
}

//  --- zauth's copy of clients_dir ---------------------------------------------------------------

static void s_remove_tree (const char *path)
{
    DIR *dir = opendir (path);
    if (!dir)
        return;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (streq (entry->d_name, ".") || streq (entry->d_name, ".."))
            continue;
        char *child = zsys_sprintf ("%s/%s", path, entry->d_name);
        assert (child);
        struct stat info;
        if (lstat (child, &info) == 0 && S_ISDIR (info.st_mode))
            s_remove_tree (child);
        else
            unlink (child);
        zstr_free (&child);
    }
    closedir (dir);
    rmdir (path);
}

void jy_security_destroy (jy_security_t **self_p)
{
    assert (self_p);
    jy_security_t *self = *self_p;
    if (!self)
        return;
    if (s_process == self)
        s_process = NULL;
    if (self->auth) {
        zactor_destroy (&self->auth);
        s_zauth_running = false;
    }
    if (self->work_dir)
        s_remove_tree (self->work_dir);
    zhashx_destroy (&self->peers);
    zcert_destroy (&self->server_cert);
    zcert_destroy (&self->client_cert);
    free (self->zap_domain);
    free (self->clients_dir);
    free (self->work_dir);
    free (self->allowed_dir);
    free (self);
    *self_p = NULL;
}

bool jy_security_curve (jy_security_t *self)
{
    return self && self->curve;
}

const char *jy_security_error (jy_security_t *self)
{
    return self ? self->error : "";
}

static uint64_t s_mix (uint64_t x)
{
    //  splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

//  What identifies the directory's contents: every entry's name, size, change times and inode,
//  in any order. 1 when it cannot be read.
static uint64_t s_signature (const char *path)
{
    DIR *dir = opendir (path);
    if (!dir)
        return 1;
    uint64_t sum = 0, count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (streq (entry->d_name, ".") || streq (entry->d_name, ".."))
            continue;
        uint64_t hash = 1469598103934665603ULL; //  FNV-1a of the name
        for (const char *c = entry->d_name; *c; c++)
            hash = (hash ^ (unsigned char) *c) * 1099511628211ULL;
        char *child = zsys_sprintf ("%s/%s", path, entry->d_name);
        assert (child);
        struct stat info;
        if (stat (child, &info) == 0)
            hash = s_mix (hash ^ s_mix ((uint64_t) info.st_size) ^
                          s_mix ((uint64_t) info.st_mtim.tv_sec * 1000000000ULL +
                                 (uint64_t) info.st_mtim.tv_nsec) ^
                          s_mix ((uint64_t) info.st_ctim.tv_nsec + 3) ^
                          s_mix ((uint64_t) info.st_ino + 7));
        zstr_free (&child);
        sum += s_mix (hash);
        count++;
    }
    closedir (dir);
    return (sum ^ s_mix (count)) | 2; //  never 0 (not read yet) nor 1 (unreadable)
}

static int s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool s_ends_with (const char *text, const char *end)
{
    size_t length = strlen (text), tail = strlen (end);
    return length >= tail && streq (text + length - tail, end);
}

//  One entry of clients_dir into peers, or a warning saying why not.
static void s_load_peer (jy_security_t *self, zhashx_t *peers, const char *name)
{
    char *path = zsys_sprintf ("%s/%s", self->clients_dir, name);
    assert (path);
    struct stat info;
    if (name[0] == '.' || stat (path, &info) != 0 || !S_ISREG (info.st_mode)) {
        zstr_free (&path);
        return;
    }
    zcert_t *cert = NULL;
    if (!s_ends_with (name, ".pub") || strlen (name) == 4)
        jy_warning ("security/clients_dir: %s ignored: only NAME.pub files are read", path);
    else if (!(cert = zcert_load (path)))
        jy_warning ("security/clients_dir: %s ignored: not a CURVE certificate", path);
    else if (strcmp (zcert_secret_txt (cert), S_NO_SECRET) != 0) {
        jy_error ("security/clients_dir: %s ignored: it holds a secret key, which belongs with "
                  "the client only (copy NAME.pub here)",
                  path);
        zcert_destroy (&cert);
    } else if (zhashx_lookup (peers, zcert_public_txt (cert))) {
        jy_warning ("security/clients_dir: %s ignored: the same key as %s", path,
                    ((jy_security_peer_t *) zhashx_lookup (peers, zcert_public_txt (cert)))->file);
        zcert_destroy (&cert);
    } else {
        jy_security_peer_t *peer = (jy_security_peer_t *) zmalloc (sizeof (jy_security_peer_t));
        assert (peer);
        snprintf (peer->key, sizeof peer->key, "%s", zcert_public_txt (cert));
        const byte *raw = zcert_public_key (cert);
        for (int i = 0; i < 32; i++)
            snprintf (peer->hex + 2 * i, 3, "%02x", raw[i]);
        const char *meta_name = zcert_meta (cert, "name");
        peer->name = meta_name && *meta_name ? strdup (meta_name)
                                             : zsys_sprintf ("%.*s", (int) strlen (name) - 4, name);
        assert (peer->name);
        peer->file = path;
        path = NULL;
        peer->cert = cert;
        zhashx_insert (peers, peer->key, peer);
    }
    zstr_free (&path);
}

//  Write a file atomically: into the work directory, then renamed into place.
static int s_write_atomic (jy_security_t *self, const char *path, zcert_t *cert, const char *text)
{
    char *scratch = zsys_sprintf ("%s/scratch", self->work_dir);
    assert (scratch);
    int rc = -1;
    if (cert)
        rc = zcert_save_public (cert, scratch);
    else {
        FILE *file = fopen (scratch, "w");
        if (file) {
            rc = fputs (text, file) < 0 ? -1 : 0;
            rc = fclose (file) == 0 ? rc : -1;
        }
    }
    if (rc == 0 && rename (scratch, path) != 0)
        rc = -1;
    if (rc != 0)
        jy_error ("security: cannot write %s: %s", path, strerror (errno));
    zstr_free (&scratch);
    return rc;
}

//  zauth's copy: one public-key-only certificate per allowed key, nothing else but the
//  generation file. zauth rereads the directory when its file count, total size or newest
//  time changes; the generation file's size alternates so that every sync changes the size.
static void s_sync_allowed (jy_security_t *self)
{
    DIR *dir = opendir (self->allowed_dir);
    if (dir) {
        struct dirent *entry;
        zhashx_t *wanted = zhashx_new ();
        assert (wanted);
        for (jy_security_peer_t *peer = (jy_security_peer_t *) zhashx_first (self->peers); peer;
             peer = (jy_security_peer_t *) zhashx_next (self->peers))
            zhashx_insert (wanted, peer->hex, peer);
        while ((entry = readdir (dir))) {
            if (streq (entry->d_name, ".") || streq (entry->d_name, "..") ||
                streq (entry->d_name, S_GENERATION) || zhashx_lookup (wanted, entry->d_name))
                continue;
            char *path = zsys_sprintf ("%s/%s", self->allowed_dir, entry->d_name);
            assert (path);
            unlink (path);
            zstr_free (&path);
        }
        closedir (dir);
        zhashx_destroy (&wanted);
    }
    static const byte no_secret[32] = {0};
    for (jy_security_peer_t *peer = (jy_security_peer_t *) zhashx_first (self->peers); peer;
         peer = (jy_security_peer_t *) zhashx_next (self->peers)) {
        char *path = zsys_sprintf ("%s/%s", self->allowed_dir, peer->hex);
        assert (path);
        if (access (path, F_OK) != 0) {
            zcert_t *bare = zcert_new_from (zcert_public_key (peer->cert), no_secret);
            assert (bare);
            s_write_atomic (self, path, bare, NULL);
            zcert_destroy (&bare);
        }
        zstr_free (&path);
    }
    char *path = zsys_sprintf ("%s/%s", self->allowed_dir, S_GENERATION);
    assert (path);
    s_write_atomic (self, path, NULL, ++self->generation % 2 ? "g\n" : "gg\n");
    zstr_free (&path);
}

static bool s_same_text (const char *a, const char *b)
{
    return (!a && !b) || (a && b && streq (a, b));
}

//  Whether two certificates of one key grant the same rights.
static bool s_same_meta (zcert_t *a, zcert_t *b)
{
    static const char *names[] = {"la_codes", "read_la_codes", "read", "dispute_roles", "reports"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!s_same_text (zcert_meta (a, names[i]), zcert_meta (b, names[i])))
            return false;
    return true;
}

//  Read clients_dir into a new set of peers, say what changed, and update zauth's copy.
static void s_reload (jy_security_t *self, uint64_t signature)
{
    zhashx_t *peers = zhashx_new ();
    assert (peers);
    zhashx_set_destructor (peers, s_peer_destroy);
    DIR *dir = opendir (self->clients_dir);
    if (!dir)
        jy_error ("security/clients_dir: cannot read %s: %s: no client is allowed until it can "
                  "be read",
                  self->clients_dir, strerror (errno));
    else {
        //  In name order, so that of two files with one key the same one always wins.
        char **names = NULL;
        size_t count = 0, capacity = 0;
        struct dirent *entry;
        while ((entry = readdir (dir))) {
            if (count == capacity) {
                capacity = capacity ? capacity * 2 : 32;
                names = (char **) realloc (names, capacity * sizeof (char *));
                assert (names);
            }
            names[count] = strdup (entry->d_name);
            assert (names[count]);
            count++;
        }
        closedir (dir);
        if (count)
            qsort (names, count, sizeof (char *), s_compare_names);
        for (size_t i = 0; i < count; i++) {
            s_load_peer (self, peers, names[i]);
            free (names[i]);
        }
        free (names);
    }
    bool narrowed = false;
    for (jy_security_peer_t *peer = (jy_security_peer_t *) zhashx_first (self->peers); peer;
         peer = (jy_security_peer_t *) zhashx_next (self->peers)) {
        jy_security_peer_t *now = (jy_security_peer_t *) zhashx_lookup (peers, peer->key);
        if (!now) {
            jy_notice ("security: client key no longer allowed: %s (%s)", peer->name, peer->key);
            narrowed = true;
        } else if (!s_same_meta (peer->cert, now->cert))
            narrowed = true; //  its open subscriptions were granted under the old rights
    }
    if (narrowed)
        self->revision++;
    for (jy_security_peer_t *peer = (jy_security_peer_t *) zhashx_first (peers); peer;
         peer = (jy_security_peer_t *) zhashx_next (peers))
        if (!zhashx_lookup (self->peers, peer->key))
            jy_info ("security: client key allowed: %s (%s) from %s", peer->name, peer->key,
                     peer->file);
    zhashx_destroy (&self->peers);
    self->peers = peers;
    self->signature = signature;
    s_sync_allowed (self);
}

void jy_security_refresh (jy_security_t *self)
{
    if (!self || !self->curve || !self->allowed_dir)
        return;
    //  A file added, removed or renamed changes the directory's own time: one stat. A file
    //  edited in place does not, so every entry is looked at too, at most once a second.
    struct stat info = {0};
    bool moved = stat (self->clients_dir, &info) != 0 ||
                 info.st_mtim.tv_sec != self->dir_changed.tv_sec ||
                 info.st_mtim.tv_nsec != self->dir_changed.tv_nsec;
    int64_t now = zclock_mono ();
    if (!moved && now - self->scanned_at < 1000)
        return;
    self->dir_changed = info.st_mtim;
    self->scanned_at = now;
    uint64_t signature = s_signature (self->clients_dir);
    if (signature != self->signature)
        s_reload (self, signature);
}

//  zauth refuses a key it does not know: shown over a socket of our own before any real one is
//  bound, so that a daemon never serves with an authenticator that lets everyone in.
static int s_check_refuses (jy_security_t *self)
{
    zsock_t *server = zsock_new (ZMQ_DEALER);
    zsock_t *client = zsock_new (ZMQ_DEALER);
    zcert_t *stranger = zcert_new ();
    assert (server && client && stranger);
    zsock_set_linger (server, 0);
    zsock_set_linger (client, 0);
    int rc = -1;
    char *event = NULL;
    zactor_t *monitor = NULL;
    if (jy_security_server (self, server) == 0 &&
        zsock_bind (server, "ipc://%s/check", self->work_dir) == 0) {
        zcert_apply (stranger, client);
        zsock_set_curve_serverkey (client, zcert_public_txt (self->server_cert));
        monitor = zactor_new (zmonitor, client);
        assert (monitor);
        zsock_send (monitor, "sssss", "LISTEN", "HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_AUTH",
                    "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_NO_DETAIL");
        zsock_send (monitor, "s", "START");
        zsock_wait (monitor);
        if (zsock_connect (client, "ipc://%s/check", self->work_dir) == 0) {
            zpoller_t *poller = zpoller_new (monitor, NULL);
            assert (poller);
            //  [event][value][endpoint]: the event is all this needs.
            if (zpoller_wait (poller, S_CHECK_TIMEOUT_MS))
                zsock_recv (monitor, "s", &event);
            zpoller_destroy (&poller);
        }
        rc = event && streq (event, "HANDSHAKE_FAILED_AUTH") ? 0 : -1;
        if (rc)
            jy_error ("security: zauth did not refuse an unknown client key (%s): not starting",
                      event ? event : "no handshake within 5 s");
    } else
        jy_error ("security: cannot bind the zauth check socket in %s: %s", self->work_dir,
                  zmq_strerror (zmq_errno ()));
    zstr_free (&event);
    zactor_destroy (&monitor);
    zsock_destroy (&client);
    zsock_destroy (&server);
    zcert_destroy (&stranger);
    return rc;
}

int jy_security_start (jy_security_t *self)
{
    assert (self);
    if (!self->curve)
        return 0;
    assert (self->role == JY_SECURITY_SERVER && !self->broken);
    if (s_zauth_running || self->auth) {
        jy_error ("security: zauth is already running in this process (there can be one)");
        return -1;
    }
    //  Short: the check socket's ipc path must fit in 107 characters.
    const char *tmp = getenv ("TMPDIR");
    if (!tmp || !*tmp || strlen (tmp) > 64)
        tmp = "/tmp";
    char *work_dir = zsys_sprintf ("%s/journey-zauth-XXXXXX", tmp);
    if (!mkdtemp (work_dir)) {
        jy_error ("security: cannot make a private directory %s: %s", work_dir, strerror (errno));
        zstr_free (&work_dir);
        return -1;
    }
    self->work_dir = work_dir;
    self->allowed_dir = zsys_sprintf ("%s/allowed", work_dir);
    assert (self->allowed_dir);
    if (mkdir (self->allowed_dir, 0700) != 0) {
        jy_error ("security: cannot make %s: %s", self->allowed_dir, strerror (errno));
        return -1;
    }
    s_reload (self, s_signature (self->clients_dir));

    self->auth = zactor_new (zauth, NULL);
    if (!self->auth) {
        jy_error ("security: cannot start zauth");
        return -1;
    }
    s_zauth_running = true;
    zsock_send (self->auth, "ss", "CURVE", self->allowed_dir);
    zsock_wait (self->auth);
    if (s_check_refuses (self) != 0)
        return -1;
    jy_info ("security: CURVE with zauth, ZAP domain \"%s\", server key %s, %zu client keys "
             "allowed from %s",
             self->zap_domain, zcert_public_txt (self->server_cert), zhashx_size (self->peers),
             self->clients_dir);
    return 0;
}

//  --- Sockets ----------------------------------------------------------------------------------

int jy_security_server (jy_security_t *self, zsock_t *sock)
{
    assert (sock);
    if (!self || !self->curve)
        return 0;
    if (!self->auth) {
        snprintf (self->error, sizeof self->error,
                  "security: zauth is not running, and a CURVE server without it lets every key "
                  "in: not binding");
        jy_error ("%s", self->error);
        return -1;
    }
    zcert_apply (self->server_cert, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, self->zap_domain);
    return 0;
}

int jy_security_client (jy_security_t *self, zsock_t *sock)
{
    assert (sock);
    if (self && self->broken)
        return -1;
    if (!self || !self->curve)
        return 0;
    zcert_apply (self->client_cert, sock);
    zsock_set_curve_serverkey (sock, self->server_key);
    return 0;
}

//  --- Allowed clients --------------------------------------------------------------------------

size_t jy_security_peer_count (jy_security_t *self)
{
    return self ? zhashx_size (self->peers) : 0;
}

const jy_security_peer_t *jy_security_peer (jy_security_t *self, const char *key)
{
    if (!self || !key || strlen (key) != S_KEY_SIZE)
        return NULL;
    return (const jy_security_peer_t *) zhashx_lookup (self->peers, key);
}

const jy_security_peer_t *jy_security_peer_of (jy_security_t *self, zframe_t *frame)
{
    //  User-Id comes from zauth's answer, which libzmq puts before anything the client sent.
    return frame ? jy_security_peer (self, zframe_meta (frame, "User-Id")) : NULL;
}

const char *jy_security_peer_key (const jy_security_peer_t *peer)
{
    assert (peer);
    return peer->key;
}

const char *jy_security_peer_name (const jy_security_peer_t *peer)
{
    assert (peer);
    return peer->name;
}

const char *jy_security_peer_meta (const jy_security_peer_t *peer, const char *name)
{
    return peer && name ? zcert_meta (peer->cert, name) : NULL;
}

bool jy_security_reads_all (jy_security_t *self, const jy_security_peer_t *peer)
{
    if (!self || !self->curve)
        return true;
    if (!peer)
        return false;
    //  The daemons' own key: one daemon following another's feed reads all of it.
    return (self->server_cert && streq (peer->key, zcert_public_txt (self->server_cert))) ||
           (self->client_cert && streq (peer->key, zcert_public_txt (self->client_cert)));
}

const char *jy_security_read_las (const jy_security_peer_t *peer)
{
    if (!peer)
        return "";
    const char *las = zcert_meta (peer->cert, "read_la_codes");
    if (!las)
        las = zcert_meta (peer->cert, "la_codes");
    return las ? las : "";
}

bool jy_security_may_read (jy_security_t *self, const jy_security_peer_t *peer, const char *what,
                           const char *la)
{
    if (jy_security_reads_all (self, peer))
        return true;
    if (!peer)
        return false;
    if (what && !jy_security_list_has (zcert_meta (peer->cert, "read"), what))
        return false;
    return !la || jy_security_list_has (jy_security_read_las (peer), la);
}

unsigned jy_security_revision (jy_security_t *self)
{
    return self ? self->revision : 0;
}

bool jy_security_list_has (const char *list, const char *word)
{
    if (!list || !word || !*word)
        return false;
    size_t size = strlen (word);
    for (const char *p = list; *p;) {
        p += strspn (p, " ,\t");
        size_t length = strcspn (p, " ,\t");
        if (length == size && memcmp (p, word, size) == 0)
            return true;
        p += length;
    }
    return false;
}

void jy_security_set_process (jy_security_t *self)
{
    s_process = self;
}

jy_security_t *jy_security_process (void)
{
    return s_process;
}
