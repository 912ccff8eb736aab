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
    "  --out DIR         where to write NAME and NAME.pub (default: the current directory)\n"
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

//  Create path for writing (mode), refusing to replace a file unless force. 0, or CLI_FAIL.
static int s_claim (const char *path, mode_t mode, bool force)
{
    int fd = open (path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), mode);
    if (fd < 0)
        return errno == EEXIST ? cli_fail ("keygen: %s exists (--force replaces it)", path)
                               : cli_fail ("keygen: cannot write %s: %s", path, strerror (errno));
    //  A replaced file keeps its old mode: set it.
    int rc = fchmod (fd, mode);
    close (fd);
    return rc == 0 ? CLI_OK : cli_fail ("keygen: cannot chmod %s: %s", path, strerror (errno));
}

int cmd_keygen (cli_t *cli, int argc, char **argv)
{
    const char *name = NULL, *la_codes = NULL, *roles = NULL, *out_dir = ".";
    const char *read = NULL, *read_la_codes = NULL;
    bool reports = false, server = false, force = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **value = strcmp (arg, "--la-codes") == 0        ? &la_codes
                             : strcmp (arg, "--dispute-roles") == 0 ? &roles
                             : strcmp (arg, "--out") == 0           ? &out_dir
                             : strcmp (arg, "--read") == 0          ? &read
                             : strcmp (arg, "--read-la-codes") == 0 ? &read_la_codes
                                                                    : NULL;
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            fputs (s_usage_text, stdout);
            return CLI_OK;
        } else if (value) {
            if (i + 1 >= argc)
                return cli_usage ("keygen: %s needs a value", arg);
            *value = argv[++i];
        } else if (strcmp (arg, "--reports") == 0)
            reports = true;
        else if (strcmp (arg, "--server") == 0)
            server = true;
        else if (strcmp (arg, "--force") == 0)
            force = true;
        else if (arg[0] == '-' || name) {
            fputs (s_usage_text, stderr);
            return cli_usage ("keygen: unexpected argument \"%s\"", arg);
        } else
            name = arg;
    }
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
    struct stat info;
    if (stat (out_dir, &info) != 0 && mkdir (out_dir, 0700) != 0)
        return cli_fail ("keygen: --out %s: %s", out_dir, strerror (errno));
    if (stat (out_dir, &info) != 0 || !S_ISDIR (info.st_mode))
        return cli_fail ("keygen: --out %s is not a directory", out_dir);

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
    int rc = s_claim (secret_path, 0600, force);
    if (rc == CLI_OK && (rc = s_claim (public_path, 0644, force)) != CLI_OK)
        unlink (secret_path);
    if (rc == CLI_OK && (zcert_save_secret (cert, secret_path) != 0 ||
                         zcert_save_public (cert, public_path) != 0)) {
        rc = cli_fail ("keygen: cannot write %s and %s", secret_path, public_path);
        unlink (secret_path);
        unlink (public_path);
    }
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
