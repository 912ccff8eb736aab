/*  webhook: alerts POSTed as JSON to the council's own messaging (webhook.h;
    docs/timeliness-cli.md says what a receiver gets).

    One czmq actor (a thread) per sink, each with its own database connection, SUB socket and
    libcurl handle, so that a slow or failing receiver holds up only its own sink. The actor
    follows the alert feed with jy_feed_sub from the position "webhook:<name>". The handler
    POSTs an alert that passes the sink's kinds and teams and saves the position after a 2xx;
    any other answer, a timeout or a refused connection makes it return -1, which leaves the
    subscriber's position where it was. The actor then stops reading the live feed and, after
    a backoff (retry_initial_ms doubling to retry_max_ms), catches up from the table, which
    starts with the same alert again. Alerts that do not pass the filters only move the
    position; it is saved once the current catch-up or live message is done, not per alert.

    $TERM is noticed between attempts and, during one, by libcurl's progress callback, so
    tl_webhooks_destroy does not wait out a slow receiver.
*/
#define _GNU_SOURCE //  asprintf, strndup
#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_form.h"
#include "webhook.h"

#define S_KEY_MAX          4096 //  ZPL lines are at most 1024 characters: any key path fits
#define S_NAME_MAX         64   //  a sink's or a header's name
#define S_MAX_TEAMS        256
#define S_TIMEOUT_MS       10000  //  per POST
#define S_RETRY_INITIAL_MS 1000   //  first backoff after a failure
#define S_RETRY_MAX_MS     300000 //  the backoff doubles up to this
#define S_POSITION_SCHEMA  "timeliness"

//  One sink's settings, as read from timeliness/webhooks/<name>.
typedef struct {
    char *name;
    char *position_key; //  "webhook:<name>" in timeliness.feed_position
    char *url;
    uint32_t kinds; //  bit (1 << Alert.Kind) per kind wanted; 0: every kind
    char **teams;   //  wanted teams; none: every alert, with a team or not
    size_t n_teams;
    long timeout_ms, retry_initial_ms, retry_max_ms;
    char **headers; //  "Name: value"
    size_t n_headers;
    bool has_content_type;
    char *db_url;
    char *feed_endpoint;
} s_sink_t;

struct _tl_webhooks_t {
    s_sink_t **sinks;
    zactor_t **actors;
    size_t count;
    bool curl_started;
};

static char *s_strdup (const char *text)
{
    char *copy = strdup (text);
    assert (copy);
    return copy;
}

static void s_sink_destroy (s_sink_t **self_p)
{
    s_sink_t *self = *self_p;
    if (!self)
        return;
    free (self->name);
    free (self->position_key);
    free (self->url);
    for (size_t i = 0; i < self->n_teams; i++)
        free (self->teams[i]);
    free (self->teams);
    for (size_t i = 0; i < self->n_headers; i++)
        free (self->headers[i]);
    free (self->headers);
    free (self->db_url);
    free (self->feed_endpoint);
    free (self);
    *self_p = NULL;
}

//  --- Configuration --------------------------------------------------------------------------

//  base/leaf into key (S_KEY_MAX bytes). Names are bounded (S_NAME_MAX), so it always fits.
static const char *s_path (char *key, const char *base, const char *leaf)
{
    int length = snprintf (key, S_KEY_MAX, "%s/%s", base, leaf);
    assert (length > 0 && length < S_KEY_MAX);
    (void) length;
    return key;
}

static const char *const s_sink_keys[] = {
    "url", "kinds", "teams", "timeout_ms", "retry_initial_ms", "retry_max_ms", "headers", NULL};

static bool s_known_key (const char *name)
{
    for (size_t i = 0; s_sink_keys[i]; i++)
        if (strcmp (s_sink_keys[i], name) == 0)
            return true;
    return false;
}

//  Sink names go into a position key and environment variable names: keep them plain.
static bool s_plain_name (const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '-')
            return false;
    return true;
}

//  The kind named (any case), or 0 when it is not one.
static int s_kind_lookup (const char *word)
{
    const ProtobufCEnumDescriptor *kinds = &journey__v1__alert__kind__descriptor;
    for (unsigned i = 0; i < kinds->n_values; i++) {
        if (kinds->values[i].value == JOURNEY__V1__ALERT__KIND__KIND_UNSPECIFIED)
            continue;
        if (strcasecmp (kinds->values[i].name, word) == 0)
            return kinds->values[i].value;
    }
    return 0;
}

//  "due_soon, drifted, ..." for error messages.
static void s_kind_names (char *text, size_t size)
{
    const ProtobufCEnumDescriptor *kinds = &journey__v1__alert__kind__descriptor;
    size_t used = 0;
    text[0] = '\0';
    for (unsigned i = 0; i < kinds->n_values && used < size; i++) {
        if (kinds->values[i].value == JOURNEY__V1__ALERT__KIND__KIND_UNSPECIFIED)
            continue;
        used += (size_t) snprintf (text + used, size - used, "%s", used ? ", " : "");
        for (const char *p = kinds->values[i].name; *p && used + 1 < size; p++)
            text[used++] = (char) tolower ((unsigned char) *p);
        text[used < size ? used : size - 1] = '\0';
    }
}

//  Words of a space-separated value, each a new string in *words. 0, or -1 past max.
static int s_split (const char *value, char ***words, size_t *count, size_t max)
{
    *words = NULL;
    *count = 0;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*count == max)
            return -1;
        if (*count % 16 == 0) {
            *words = realloc (*words, (*count + 16) * sizeof (char *));
            assert (*words);
        }
        (*words)[(*count)++] = strndup (start, (size_t) (p - start));
        assert ((*words)[*count - 1]);
    }
    return 0;
}

static void s_free_words (char **words, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free (words[i]);
    free (words);
}

static int s_read_kinds (jy_config_t *config, const char *key, uint32_t *kinds)
{
    const char *value;
    jy_config_string (config, key, "", &value);
    char **words;
    size_t count;
    int rc = s_split (value, &words, &count, 64);
    *kinds = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        int kind = s_kind_lookup (words[i]);
        if (kind == 0) {
            char names[256];
            s_kind_names (names, sizeof names);
            rc = jy_config_fail (config, key, "\"%s\" is not an alert kind (%s)", words[i], names);
        } else
            *kinds |= 1u << kind;
    }
    if (rc != 0 && count == 64)
        rc = jy_config_fail (config, key, "too many kinds");
    s_free_words (words, count);
    return rc;
}

//  A header name is an HTTP token; a value has no line breaks (which would smuggle headers).
static bool s_header_name_ok (const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum ((unsigned char) *p) && !strchr ("!#$%&'*+-.^_`|~", *p))
            return false;
    return true;
}

static int s_read_headers (jy_config_t *config, const char *base, s_sink_t *sink)
{
    char headers[S_KEY_MAX], key[S_KEY_MAX];
    s_path (headers, base, "headers");
    zconfig_t *section = jy_config_section (config, headers);
    if (!section)
        return 0;
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        const char *name = zconfig_name (child);
        s_path (key, headers, name);
        if (!s_header_name_ok (name) || strlen (name) > S_NAME_MAX)
            return jy_config_fail (config, key, "\"%s\" is not an HTTP header name", name);
        const char *value;
        jy_config_string (config, key, "", &value);
        if (strpbrk (value, "\r\n"))
            return jy_config_fail (config, key, "a header value cannot hold a line break");
        sink->headers = realloc (sink->headers, (sink->n_headers + 1) * sizeof (char *));
        assert (sink->headers);
        char *line;
        int length = asprintf (&line, "%s: %s", name, value);
        assert (length >= 0);
        (void) length;
        sink->headers[sink->n_headers++] = line;
        if (strcasecmp (name, "content-type") == 0)
            sink->has_content_type = true;
    }
    return 0;
}

static bool s_url_ok (const char *url)
{
    if (strncasecmp (url, "http://", 7) != 0 && strncasecmp (url, "https://", 8) != 0)
        return false;
    CURLU *parsed = curl_url ();
    assert (parsed);
    bool ok = curl_url_set (parsed, CURLUPART_URL, url, 0) == CURLUE_OK;
    curl_url_cleanup (parsed);
    return ok;
}

//  The sink at timeliness/webhooks/<name>, or NULL with the error recorded in config.
static s_sink_t *s_sink_read (jy_config_t *config, zconfig_t *section, const char *db_url,
                              const char *feed_endpoint)
{
    const char *name = zconfig_name (section);
    char base[S_KEY_MAX], key[S_KEY_MAX];
    snprintf (base, sizeof base, "timeliness/webhooks/%s", name);
    if (!s_plain_name (name) || strlen (name) > S_NAME_MAX) {
        jy_config_fail (config, base, "a sink's name is up to %d letters, digits, '_' and '-'",
                        S_NAME_MAX);
        return NULL;
    }
    if (!zconfig_child (section)) {
        jy_config_fail (config, base, "a sink is a section holding at least url");
        return NULL;
    }
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child))
        if (!s_known_key (zconfig_name (child))) {
            s_path (key, base, zconfig_name (child));
            jy_config_fail (config, key,
                            "unknown key (a sink has url, kinds, teams, timeout_ms, "
                            "retry_initial_ms, retry_max_ms and a headers section)");
            return NULL;
        }

    s_sink_t *sink = calloc (1, sizeof *sink);
    assert (sink);
    sink->name = s_strdup (name);
    int length = asprintf (&sink->position_key, "webhook:%s", name);
    assert (length > 0);
    (void) length;
    sink->db_url = s_strdup (db_url);
    sink->feed_endpoint = s_strdup (feed_endpoint);

    const char *url;
    s_path (key, base, "url");
    jy_config_string (config, key, "", &url);
    int rc = 0;
    if (!*url)
        //  Named by its section: a key that is set nowhere has no file to name.
        rc = jy_config_fail (config, base, "has no url (the address alerts are POSTed to)");
    else if (!s_url_ok (url))
        rc = jy_config_fail (config, key, "\"%s\" is not an http:// or https:// URL", url);
    else
        sink->url = s_strdup (url);

    s_path (key, base, "kinds");
    if (rc == 0)
        rc = s_read_kinds (config, key, &sink->kinds);
    s_path (key, base, "teams");
    if (rc == 0) {
        const char *teams;
        jy_config_string (config, key, "", &teams);
        if (s_split (teams, &sink->teams, &sink->n_teams, S_MAX_TEAMS) != 0)
            rc = jy_config_fail (config, key, "more than %d teams", S_MAX_TEAMS);
    }
    s_path (key, base, "timeout_ms");
    if (rc == 0)
        rc = jy_config_int (config, key, S_TIMEOUT_MS, 1, 600000, &sink->timeout_ms);
    s_path (key, base, "retry_initial_ms");
    if (rc == 0)
        rc = jy_config_int (config, key, S_RETRY_INITIAL_MS, 1, 3600000, &sink->retry_initial_ms);
    s_path (key, base, "retry_max_ms");
    if (rc == 0)
        rc = jy_config_int (config, key, S_RETRY_MAX_MS, 1, 86400000, &sink->retry_max_ms);
    if (rc == 0 && sink->retry_max_ms < sink->retry_initial_ms)
        rc = jy_config_fail (config, key, "%ld is less than retry_initial_ms (%ld)",
                             sink->retry_max_ms, sink->retry_initial_ms);
    if (rc == 0)
        rc = s_read_headers (config, base, sink);
    if (rc != 0)
        s_sink_destroy (&sink);
    return sink;
}

//  --- Delivery (on the sink's own thread) ----------------------------------------------------

typedef struct {
    const s_sink_t *sink;
    zsock_t *pipe;
    jy_db_t *db;
    jy_feed_sub_t *sub;
    zpoller_t *idle; //  the pipe alone: while backing off
    zpoller_t *live; //  the pipe and the feed
    CURL *curl;
    char curl_error[CURL_ERROR_SIZE];
    bool stopping;       //  $TERM arrived during a POST
    bool dirty;          //  the position moved past filtered-out alerts, not yet saved
    bool handled_failed; //  s_handle failed (and said why) during this catch-up
    bool failing;        //  backing off
    int64_t retry_at;    //  zclock_mono
    long backoff_ms;
    uint64_t delivered;
} s_delivery_t;

static bool s_wanted (const s_sink_t *sink, const Journey__V1__Alert *alert)
{
    int kind = alert->has_kind ? (int) alert->kind : 0;
    if (sink->kinds && (kind <= 0 || kind > 31 || !(sink->kinds & (1u << kind))))
        return false;
    if (sink->n_teams == 0)
        return true;
    for (size_t i = 0; alert->team_id && i < sink->n_teams; i++)
        if (strcmp (sink->teams[i], alert->team_id) == 0)
            return true;
    return false;
}

//  The response body is of no interest: a receiver says what it needs to with the status.
static size_t s_discard (char *data, size_t size, size_t count, void *arg)
{
    return size * count;
}

//  During a POST: abandon it when the pipe has a command ($TERM).
static int s_progress (void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    s_delivery_t *self = arg;
    if (zsock_events (self->pipe) & ZMQ_POLLIN) {
        self->stopping = true;
        return 1;
    }
    return 0;
}

//  POST body once. 0 on a 2xx answer, -1 otherwise (logged).
static int s_post (s_delivery_t *self, uint64_t seq, const char *body)
{
    const s_sink_t *sink = self->sink;
    struct curl_slist *headers = NULL;
    if (!sink->has_content_type)
        headers = curl_slist_append (headers, "Content-Type: application/json");
    char idempotency[64];
    snprintf (idempotency, sizeof idempotency, "Idempotency-Key: %" PRIu64, seq);
    headers = curl_slist_append (headers, idempotency);
    for (size_t i = 0; i < sink->n_headers; i++)
        headers = curl_slist_append (headers, sink->headers[i]);
    assert (headers);

    CURL *curl = self->curl;
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (body));
    self->curl_error[0] = '\0';
    CURLcode result = curl_easy_perform (curl);
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all (headers);

    if (result == CURLE_OK && status >= 200 && status < 300)
        return 0;
    if (self->stopping)
        return -1; //  abandoned on $TERM: retried on the next start
    if (result != CURLE_OK)
        jy_warning ("webhook %s: alert %" PRIu64 " not delivered: %s", sink->name, seq,
                    *self->curl_error ? self->curl_error : curl_easy_strerror (result));
    else
        jy_warning ("webhook %s: alert %" PRIu64 " not delivered: HTTP %ld", sink->name, seq,
                    status);
    return -1;
}

//  jy_feed_sub's handler: deliver, then the position; or only the position.
static int s_handle (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_delivery_t *self = arg;
    Journey__V1__Alert *alert =
        envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT ? envelope->alert : NULL;
    if (!alert || !s_wanted (self->sink, alert)) {
        self->dirty = true;
        return 0;
    }
    alert->has_alert_id = 1;
    alert->alert_id = seq;
    json_t *object = tl_json_alert (alert);
    char *body = object ? tl_json_text (object) : NULL;
    json_decref (object);
    if (!body) {
        //  It never will be sendable, and retrying would hold up every later alert: pass it
        //  over, loudly. (Ingest repairs text to UTF-8, so this is not expected.)
        jy_error ("webhook %s: alert %" PRIu64 " holds text that is not UTF-8: not sent",
                  self->sink->name, seq);
        self->dirty = true;
        return 0;
    }
    int rc = s_post (self, seq, body);
    free (body);
    if (rc != 0) {
        self->handled_failed = true;
        return -1;
    }
    //  Saved after the 2xx: a crash between the two delivers it again (seq is the
    //  idempotency key), never loses it.
    if (jy_feed_position_save (self->db, S_POSITION_SCHEMA, self->sink->position_key, seq) != 0) {
        jy_warning ("webhook %s: alert %" PRIu64 " delivered, its position not saved: %s",
                    self->sink->name, seq, jy_db_error (self->db));
        self->handled_failed = true;
        return -1;
    }
    self->dirty = false;
    self->delivered++;
    return 0;
}

//  Connect what is not connected yet and catch up from the table. 0, or -1 to back off.
static int s_resume (s_delivery_t *self)
{
    const s_sink_t *sink = self->sink;
    if (!self->sub) {
        uint64_t position;
        if (jy_db_connect (self->db, 0) != 0 ||
            jy_feed_position_load (self->db, S_POSITION_SCHEMA, sink->position_key, &position) !=
                0) {
            jy_warning ("webhook %s: reading its position: %s", sink->name, jy_db_error (self->db));
            return -1;
        }
        self->sub = jy_feed_sub_new (self->db, jy_feed_lookup ("alerts"), sink->feed_endpoint,
                                     position, s_handle, self);
        if (!self->sub)
            return -1;
        self->live = zpoller_new (self->pipe, jy_feed_sub_socket (self->sub), NULL);
        assert (self->live);
        zpoller_set_nonstop (self->live, true);
        jy_info ("webhook %s: delivering to %s from alert %" PRIu64, sink->name, sink->url,
                 position + 1);
    } else if (jy_db_ensure (self->db) != 0) {
        jy_warning ("webhook %s: database: %s", sink->name, jy_db_error (self->db));
        return -1;
    }
    self->handled_failed = false;
    if (jy_feed_sub_catch_up (self->sub) >= 0)
        return 0;
    //  A failed delivery has said why; a failed read of the feed has not.
    if (!self->handled_failed)
        jy_warning ("webhook %s: catching up with the alert feed: %s", sink->name,
                    jy_db_error (self->db));
    return -1;
}

static void s_back_off (s_delivery_t *self)
{
    if (self->stopping)
        return;
    self->failing = true;
    self->retry_at = zclock_mono () + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > self->sink->retry_max_ms ? self->sink->retry_max_ms
                                                                       : self->backoff_ms * 2;
}

static void s_recovered (s_delivery_t *self)
{
    self->failing = false;
    self->backoff_ms = self->sink->retry_initial_ms;
}

//  Filtered-out alerts moved the position: keep that, so a restart need not read them again.
static void s_save_position (s_delivery_t *self)
{
    if (!self->dirty || !self->sub || self->failing)
        return;
    if (jy_feed_position_save (self->db, S_POSITION_SCHEMA, self->sink->position_key,
                               jy_feed_sub_position (self->sub)) == 0)
        self->dirty = false;
    else
        jy_warning ("webhook %s: position not saved: %s", self->sink->name, jy_db_error (self->db));
}

static void s_delivery_actor (zsock_t *pipe, void *arg)
{
    s_delivery_t self = {.sink = arg, .pipe = pipe};
    const s_sink_t *sink = self.sink;
    self.backoff_ms = sink->retry_initial_ms;
    self.db = jy_db_new (sink->db_url);
    char application[128];
    snprintf (application, sizeof application, "journey-timelinessd %s", sink->position_key);
    jy_db_set_application_name (self.db, application);
    self.idle = zpoller_new (pipe, NULL);
    assert (self.idle);
    zpoller_set_nonstop (self.idle, true);
    self.curl = curl_easy_init ();
    assert (self.curl);
    curl_easy_setopt (self.curl, CURLOPT_URL, sink->url);
    curl_easy_setopt (self.curl, CURLOPT_NOSIGNAL, 1L); //  threads: no SIGALRM for timeouts
    curl_easy_setopt (self.curl, CURLOPT_TIMEOUT_MS, sink->timeout_ms);
    curl_easy_setopt (self.curl, CURLOPT_CONNECTTIMEOUT_MS, sink->timeout_ms);
    curl_easy_setopt (self.curl, CURLOPT_USERAGENT, "journey-timelinessd/" JOURNEY_VERSION);
    curl_easy_setopt (self.curl, CURLOPT_ERRORBUFFER, self.curl_error);
    curl_easy_setopt (self.curl, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt (self.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt (self.curl, CURLOPT_XFERINFOFUNCTION, s_progress);
    curl_easy_setopt (self.curl, CURLOPT_XFERINFODATA, &self);
    //  Only http and https, also after a redirect (which is not followed anyway).
    curl_easy_setopt (self.curl, CURLOPT_PROTOCOLS_STR, "http,https");
    zsock_signal (pipe, 0);

    if (s_resume (&self) != 0)
        s_back_off (&self);
    s_save_position (&self);
    while (!self.stopping) {
        zpoller_t *poller = self.failing || !self.live ? self.idle : self.live;
        int timeout = -1;
        if (self.failing) {
            int64_t left = self.retry_at - zclock_mono ();
            timeout = left < 0 ? 0 : (int) left;
        }
        void *which = zpoller_wait (poller, timeout);
        if (which == pipe)
            break; //  $TERM: the only command an actor gets here
        if (which && self.sub && which == jy_feed_sub_socket (self.sub)) {
            if (jy_feed_sub_on_readable (self.sub) != 0)
                s_back_off (&self);
        } else if (!which && self.failing && zclock_mono () >= self.retry_at) {
            if (s_resume (&self) == 0)
                s_recovered (&self);
            else
                s_back_off (&self);
        }
        s_save_position (&self);
    }
    //  Wait for $TERM by reading it: zsock_wait here would deadlock zactor_destroy.
    char *command = NULL;
    zsock_recv (pipe, "s", &command);
    free (command);
    jy_info ("webhook %s: stopped, %" PRIu64 " delivered", sink->name, self.delivered);
    curl_easy_cleanup (self.curl);
    zpoller_destroy (&self.live);
    zpoller_destroy (&self.idle);
    jy_feed_sub_destroy (&self.sub);
    jy_db_destroy (&self.db);
}

//  --- The set of sinks ----------------------------------------------------------------------

tl_webhooks_t *tl_webhooks_new (jy_config_t *config, const char *db_url, const char *alert_feed)
{
    assert (config);
    assert (db_url);
    assert (alert_feed);
    tl_webhooks_t *self = calloc (1, sizeof *self);
    assert (self);
    zconfig_t *section = jy_config_section (config, "timeliness/webhooks");
    if (!section || !zconfig_child (section))
        return self;
    //  Before any use of libcurl (URLs are checked with it); paired with the cleanup in
    //  destroy.
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        jy_error ("webhooks: libcurl could not start");
        free (self);
        return NULL;
    }
    self->curl_started = true;
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        s_sink_t *sink = s_sink_read (config, child, db_url, alert_feed);
        if (!sink) {
            tl_webhooks_destroy (&self);
            return NULL;
        }
        self->sinks = realloc (self->sinks, (self->count + 1) * sizeof (s_sink_t *));
        assert (self->sinks);
        self->sinks[self->count++] = sink;
    }
    self->actors = calloc (self->count, sizeof (zactor_t *));
    assert (self->actors);
    for (size_t i = 0; i < self->count; i++) {
        self->actors[i] = zactor_new (s_delivery_actor, self->sinks[i]);
        assert (self->actors[i]);
    }
    return self;
}

void tl_webhooks_destroy (tl_webhooks_t **self_p)
{
    assert (self_p);
    tl_webhooks_t *self = *self_p;
    if (!self)
        return;
    if (self->actors) {
        //  $TERM to every sink first, so that they stop together rather than one by one.
        for (size_t i = 0; i < self->count; i++)
            zsock_send (self->actors[i], "s", "$TERM");
        for (size_t i = 0; i < self->count; i++)
            zactor_destroy (&self->actors[i]);
        free (self->actors);
    }
    if (self->curl_started)
        curl_global_cleanup ();
    for (size_t i = 0; i < self->count; i++)
        s_sink_destroy (&self->sinks[i]);
    free (self->sinks);
    free (self);
    *self_p = NULL;
}

size_t tl_webhooks_count (tl_webhooks_t *self)
{
    assert (self);
    return self->count;
}
