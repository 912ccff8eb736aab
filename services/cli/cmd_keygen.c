/*  journey keygen: a CURVE certificate pair for a client or a daemon (docs/security.md).

        journey keygen NAME [--la-codes "872 873"] [--dispute-roles "iro cp-chair"] [--reports]
                            [--read "events alerts disputes"] [--read-la-codes "872"]
                            [--server] [--out DIR] [--force]

    Writes DIR/NAME, the secret certificate (mode 0600: it stays with its owner), and
    DIR/NAME.pub, the public one, which goes into each daemon's security/clients_dir. What the
    key may do is the public certificate's metadata, which the daemons read by the key the
    handshake proved: la_codes (whose events it may push), dispute_roles (the roles it may act
    as in disputes), reports ("yes": it may ask for board packs), read (the feeds and queries
    it may read) and read_la_codes (whose children it may read; default: its la_codes), and
    name (for the logs).

    DIR must be the caller's alone (owned by them, not writable by group or others): in a
    shared one another user could plant a certificate of their own beside ours. The files are
    made new (O_EXCL, O_NOFOLLOW) and written through the descriptor opened.
*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define S_MAX_LIST 900 //  a metadata value stays well inside one 1024-character ZPL line

static const char *s_usage_text =
    "usage: journey keygen NAME [--la-codes \"872 873\"] [--dispute-roles \"iro cp-chair\"]\n"
    "                           [--reports] [--read \"events alerts disputes\"]\n"
    "                           [--read-la-codes \"872\"] [--server] [--out DIR] [--force]\n"
    "  NAME              the key's name: letters, digits, '.', '_', '-' (up to 64)\n"
    "  --la-codes L      three-digit DfE LA codes whose events the key may push\n"
    "  --dispute-roles R roles the key may act as in disputes (escalation/known_roles)\n"
    "  --reports         the key may ask journey-reportingd for board packs\n"
    "  --read F          what it may read: events, alerts (and deadlines), disputes\n"
    "  --read-la-codes L the LAs whose children it may read (default: --la-codes)\n"
    "  --server          a daemon's own key (security/server_secret); no permissions\n"
    "  --out DIR         where to write NAME and NAME.pub (default: the current directory);\n"
    "                    yours alone: one another user owns, or its group or others may\n"
    "                    write, is refused; a missing one is made, mode 0700\n"
    "  --force           replace existing files\n"
    "Any allowed key may ask Status; reading a feed, deadlines, alerts, disputes or an\n"
    "LA's board pack needs --read and the LA in --read-la-codes (docs/security.md).\n";

//  A feed a key may read (--read).
static bool s_is_feed (const char *word, size_t length)
{
    return (length == 6 && strncmp (word, "events", 6) == 0) ||
           (length == 6 && strncmp (word, "alerts", 6) == 0) ||
           (length == 8 && strncmp (word, "disputes", 8) == 0);
}

static bool s_valid_name (const char *name)
{
    size_t length = strlen (name);
    if (length == 0 || length > 64 || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *c = name; *c; c++)
        if (!isalnum ((unsigned char) *c) && *c != '.' && *c != '_' && *c != '-')
            return false;
    return !(length >= 4 && strcmp (name + length - 4, ".pub") == 0);
}

//  The words of text (separated by spaces or commas), each checked by valid, joined by single
//  spaces into out. 0, or CLI_USAGE having said which word is wrong.
static int s_list (const char *option, const char *text, bool (*valid) (const char *, size_t),
                   const char *what, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = text; *p;) {
        p += strspn (p, " ,\t");
        size_t length = strcspn (p, " ,\t");
        if (!length)
            break;
        if (!valid (p, length))
            return cli_usage ("keygen: %s: \"%.*s\" is not %s", option, (int) length, p, what);
        if (used + length + 2 > out_size || used + length + 1 > S_MAX_LIST)
            return cli_usage ("keygen: %s: the list is too long", option);
        used += (size_t) snprintf (out + used, out_size - used, "%s%.*s", used ? " " : "",
                                   (int) length, p);
        p += length;
    }
    if (!used)
        return cli_usage ("keygen: %s needs at least one value", option);
    return CLI_OK;
}

static bool s_is_la_code (const char *word, size_t length)
{
    return length == 3 && isdigit ((unsigned char) word[0]) && isdigit ((unsigned char) word[1]) &&
           isdigit ((unsigned char) word[2]);
}

//  Role names as escalation/known_roles spells them: lower-case letters, digits, '-'.
static bool s_is_role (const char *word, size_t length)
{
    if (length > 64)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!islower ((unsigned char) word[i]) && !isdigit ((unsigned char) word[i]) &&
            word[i] != '-')
            return false;
    return true;
}

//  DIR must be the caller's alone: a directory that someone else owns, or that its group or
//  others may write, lets them plant a key of their own beside ours (or swap ours) before it is
//  copied into clients_dir. A missing one is made, mode 0700. The open directory, or -1 having
//  said why.
static int s_open_dir (const char *dir)
{
    if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
        cli_fail ("keygen: --out %s: cannot create it: %s", dir, strerror (errno));
        return -1;
    }
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        cli_fail ("keygen: --out %s: %s", dir,
                  errno == ENOTDIR ? "not a directory" : strerror (errno));
        return -1;
    }
    struct stat info;
    const char *why = NULL;
    char owner[96];
    if (fstat (fd, &info) != 0)
        why = strerror (errno);
    else if (info.st_uid != geteuid ()) {
        snprintf (owner, sizeof owner, "it belongs to uid %u, not to you (uid %u)",
                  (unsigned) info.st_uid, (unsigned) geteuid ());
        why = owner;
    } else if (info.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf (owner, sizeof owner, "its group or others may write it (mode %04o)",
                  (unsigned) (info.st_mode & 07777));
        why = owner;
    }
    if (why) {
        cli_fail ("keygen: --out %s: refused: %s; someone else could plant or replace keys "
                  "there. Use a directory of your own that only you may write (a missing one "
                  "is made, mode 0700)",
                  dir, why);
        close (fd);
        return -1;
    }
    return fd;
}

//  NAME in the directory, new (O_EXCL; --force removes an old one first) and never through a
//  symlink, with mode whatever the umask. The open file, or -1 having said why.
static int s_claim (int dir_fd, const char *path, const char *name, mode_t mode, bool force)
{
    if (force && unlinkat (dir_fd, name, 0) != 0 && errno != ENOENT) {
        cli_fail ("keygen: cannot replace %s: %s", path, strerror (errno));
        return -1;
    }
    int fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            cli_fail ("keygen: %s exists (--force replaces it)", path);
        else
            cli_fail ("keygen: cannot write %s: %s", path, strerror (errno));
        return -1;
    }
    if (fchmod (fd, mode) != 0) {
        cli_fail ("keygen: cannot chmod %s: %s", path, strerror (errno));
        close (fd);
        unlinkat (dir_fd, name, 0);
        return -1;
    }
    return fd;
}

//  The certificate as zcert_save_secret / zcert_save_public write it (zcert_load reads it),
//  written to an open file rather than through a path.
static int s_write_cert (zcert_t *cert, int fd, bool secret)
{
    zconfig_t *root = zconfig_new ("root", NULL);
    assert (root);
    zconfig_t *metadata = zconfig_new ("metadata", root);
    zlist_t *keys = zcert_meta_keys (cert);
    for (const char *key = (const char *) zlist_first (keys); key;
         key = (const char *) zlist_next (keys))
        zconfig_putf (metadata, key, "%s", zcert_meta (cert, key));
    zlist_destroy (&keys);
    char *when = zclock_timestr ();
    zconfig_set_comment (root, "   ****  Generated on %s by journey keygen  ****", when);
    zstr_free (&when);
    zconfig_set_comment (root, secret ? "   ZeroMQ CURVE **Secret** Certificate"
                                      : "   ZeroMQ CURVE Public Certificate");
    zconfig_set_comment (root, secret ? "   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change "
                                        "its permissions."
                                      : "   Exchange securely: it says what the key may do.");
    zconfig_putf (root, "/curve/public-key", "%s", zcert_public_txt (cert));
    if (secret)
        zconfig_putf (root, "/curve/secret-key", "%s", zcert_secret_txt (cert));
    char *text = zconfig_str_save (root);
    zconfig_destroy (&root);
    assert (text);
    size_t length = strlen (text), written = 0;
    while (written < length) {
        ssize_t rc = write (fd, text + written, length - written);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            break;
        written += (size_t) rc;
    }
    zstr_free (&text);
    return written == length && fsync (fd) == 0 ? 0 : -1;
}

enum {
    S_KEY_LA_CODES,
    S_KEY_ROLES,
    S_KEY_OUT,
    S_KEY_READ,
    S_KEY_READ_LA_CODES,
    S_KEY_REPORTS,
    S_KEY_SERVER,
    S_KEY_FORCE
};
static const cli_option_t s_keygen_options[] = {
    [S_KEY_LA_CODES] = {"--la-codes", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_KEY_ROLES] = {"--dispute-roles", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_KEY_OUT] = {"--out", CLI_OPTION_TEXT, "a directory", 0, 0, NULL},
    [S_KEY_READ] = {"--read", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_KEY_READ_LA_CODES] = {"--read-la-codes", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_KEY_REPORTS] = {"--reports", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
    [S_KEY_SERVER] = {"--server", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
    [S_KEY_FORCE] = {"--force", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

int cmd_keygen (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"keygen", s_keygen_options, 1, false};
    cli_parsed_t parsed;
    int exit_code;
    if (!cli_options_read (&spec, argc, argv, 1, s_usage_text, &parsed, &exit_code))
        return exit_code;
    const cli_value_t *values = parsed.values;
    const char *name = parsed.args[0];
    const char *la_codes = values[S_KEY_LA_CODES].text, *roles = values[S_KEY_ROLES].text;
    const char *out_dir = values[S_KEY_OUT].given ? values[S_KEY_OUT].text : ".";
    const char *read = values[S_KEY_READ].text;
    const char *read_la_codes = values[S_KEY_READ_LA_CODES].text;
    bool reports = values[S_KEY_REPORTS].given, server = values[S_KEY_SERVER].given;
    bool force = values[S_KEY_FORCE].given;
    if (!name) {
        fputs (s_usage_text, stderr);
        return cli_usage ("keygen: NAME is required");
    }
    if (!s_valid_name (name))
        return cli_usage ("keygen: \"%s\" is not a key name (letters, digits, '.', '_', '-'; up to "
                          "64; not ending in .pub)",
                          name);
    if (server && (la_codes || roles || reports || read || read_la_codes))
        return cli_usage ("keygen: a daemon's key (--server) carries no permissions");
    char la_list[S_MAX_LIST + 64] = "", role_list[S_MAX_LIST + 64] = "";
    if (la_codes && s_list ("--la-codes", la_codes, s_is_la_code, "a three-digit DfE LA code",
                            la_list, sizeof la_list))
        return CLI_USAGE;
    if (roles &&
        s_list ("--dispute-roles", roles, s_is_role,
                "a role name (lower-case letters, digits, '-')", role_list, sizeof role_list))
        return CLI_USAGE;
    char read_list[S_MAX_LIST + 64] = "", read_la_list[S_MAX_LIST + 64] = "";
    if (read && s_list ("--read", read, s_is_feed, "events, alerts or disputes", read_list,
                        sizeof read_list))
        return CLI_USAGE;
    if (read_la_codes && s_list ("--read-la-codes", read_la_codes, s_is_la_code,
                                 "a three-digit DfE LA code", read_la_list, sizeof read_la_list))
        return CLI_USAGE;
    int dir_fd = s_open_dir (out_dir);
    if (dir_fd < 0)
        return CLI_FAIL;

    zcert_t *cert = zcert_new ();
    assert (cert);
    zcert_set_meta (cert, "name", "%s", name);
    if (*la_list)
        zcert_set_meta (cert, "la_codes", "%s", la_list);
    if (*role_list)
        zcert_set_meta (cert, "dispute_roles", "%s", role_list);
    if (reports)
        zcert_set_meta (cert, "reports", "yes");
    if (*read_list)
        zcert_set_meta (cert, "read", "%s", read_list);
    if (*read_la_list)
        zcert_set_meta (cert, "read_la_codes", "%s", read_la_list);

    char *secret_path = zsys_sprintf ("%s/%s", out_dir, name);
    char *public_path = zsys_sprintf ("%s/%s.pub", out_dir, name);
    char *public_name = zsys_sprintf ("%s.pub", name);
    assert (secret_path && public_path && public_name);
    int rc = CLI_FAIL;
    int secret_fd = s_claim (dir_fd, secret_path, name, 0600, force);
    int public_fd = secret_fd < 0 ? -1 : s_claim (dir_fd, public_path, public_name, 0644, force);
    if (secret_fd >= 0 && public_fd >= 0) {
        if (s_write_cert (cert, secret_fd, true) == 0 && s_write_cert (cert, public_fd, false) == 0)
            rc = CLI_OK;
        else
            cli_fail ("keygen: cannot write %s and %s: %s", secret_path, public_path,
                      strerror (errno));
    }
    if (public_fd >= 0 && close (public_fd) != 0)
        rc = CLI_FAIL;
    if (secret_fd >= 0 && close (secret_fd) != 0)
        rc = CLI_FAIL;
    if (rc != CLI_OK && secret_fd >= 0) {
        unlinkat (dir_fd, name, 0);
        if (public_fd >= 0)
            unlinkat (dir_fd, public_name, 0);
    }
    zstr_free (&public_name);
    close (dir_fd);
    if (rc == CLI_OK && cli->json)
        cli_print_json (json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "name", name,
                                   "secret", secret_path, "public", public_path, "key",
                                   zcert_public_txt (cert), "la_codes", la_list, "dispute_roles",
                                   role_list, "reports", reports, "server", server));
    else if (rc == CLI_OK && server)
        printf ("wrote %s, the daemons' secret certificate: security/server_secret on each "
                "daemon (mode 0600)\n"
                "wrote %s, its public certificate: security/server_public for every client; "
                "also put it in security/clients_dir so that the daemons may follow each "
                "other's feeds\n"
                "server key %s\n",
                secret_path, public_path, zcert_public_txt (cert));
    else if (rc == CLI_OK)
        printf ("wrote %s, the secret certificate: keep it with the client only, as its "
                "security/client_secret (mode 0600)\n"
                "wrote %s, the public certificate: copy it into each daemon's "
                "security/clients_dir\n"
                "key %s may push events for LA %s; act in disputes as %s; ask for reports: "
                "%s\n",
                secret_path, public_path, zcert_public_txt (cert), *la_list ? la_list : "none",
                *role_list ? role_list : "no role", reports ? "yes" : "no");
    zstr_free (&secret_path);
    zstr_free (&public_path);
    zcert_destroy (&cert);
    return rc;
}
