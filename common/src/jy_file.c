/*  jy_file: files written safely into a directory that someone else may be able to write
    (jy_file.h). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jy_file.h"

#define S_TRIES 64 //  random temporary names tried before giving up

struct _jy_file_t {
    int dir_fd;          //  the directory, opened once: every name below is relative to it
    char *path;          //  the final name as given, for messages
    char *base;          //  the final name in dir_fd
    char temporary[300]; //  the temporary's name in dir_fd
    FILE *stream;
    bool committed;
};

//  Refuse a final name that exists as anything but a plain file: a symlink planted there must
//  not be followed, nor a directory replaced.
static int s_check_final (jy_file_t *self, char *error, size_t error_size)
{
    struct stat info;
    if (fstatat (self->dir_fd, self->base, &info, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf (error, error_size, "%s: %s", self->path, strerror (errno));
        return -1;
    }
    if (S_ISREG (info.st_mode))
        return 0;
    snprintf (error, error_size, "%s is %s, not a plain file: refused", self->path,
              S_ISLNK (info.st_mode)   ? "a symlink"
              : S_ISDIR (info.st_mode) ? "a directory"
                                       : "special");
    return -1;
}

jy_file_t *jy_file_new (const char *path, mode_t mode, char *error, size_t error_size)
{
    assert (path);
    const char *slash = strrchr (path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || strcmp (base, ".") == 0 || strcmp (base, "..") == 0 || strlen (base) > 200) {
        snprintf (error, error_size, "%s is not a file name", path);
        return NULL;
    }
    jy_file_t *self = (jy_file_t *) calloc (1, sizeof (jy_file_t));
    assert (self);
    self->dir_fd = -1;
    self->path = strdup (path);
    self->base = strdup (base);
    assert (self->path && self->base);
    char *dir = slash ? strndup (path, (size_t) (slash - path)) : strdup (".");
    assert (dir);
    self->dir_fd = open (*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (self->dir_fd < 0)
        snprintf (error, error_size, "%s: %s", *dir ? dir : "/", strerror (errno));
    free (dir);
    if (self->dir_fd < 0 || s_check_final (self, error, error_size))
        goto failed;
    int fd = -1;
    for (int i = 0; i < S_TRIES && fd < 0; i++) {
        unsigned int random = 0;
        if (getrandom (&random, sizeof random, 0) != (ssize_t) sizeof random)
            random = (unsigned int) getpid () * 2654435761u + (unsigned int) i;
        snprintf (self->temporary, sizeof self->temporary, ".%s.tmp-%08x", base, random);
        fd = openat (self->dir_fd, self->temporary,
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        snprintf (error, error_size, "cannot create a temporary for %s: %s", path,
                  strerror (errno));
        self->temporary[0] = '\0';
        goto failed;
    }
    //  The mode asked for, whatever the umask.
    if (fchmod (fd, mode) != 0 || !(self->stream = fdopen (fd, "w"))) {
        snprintf (error, error_size, "%s: %s", path, strerror (errno));
        close (fd);
        goto failed;
    }
    return self;
failed:
    jy_file_destroy (&self);
    return NULL;
}

void jy_file_destroy (jy_file_t **self_p)
{
    assert (self_p);
    jy_file_t *self = *self_p;
    if (!self)
        return;
    if (self->stream)
        fclose (self->stream);
    if (!self->committed && self->temporary[0] && self->dir_fd >= 0)
        unlinkat (self->dir_fd, self->temporary, 0);
    if (self->dir_fd >= 0)
        close (self->dir_fd);
    free (self->path);
    free (self->base);
    free (self);
    *self_p = NULL;
}

FILE *jy_file_stream (jy_file_t *self)
{
    assert (self && self->stream);
    return self->stream;
}

int jy_file_commit (jy_file_t *self, char *error, size_t error_size)
{
    assert (self && self->stream && !self->committed);
    FILE *stream = self->stream;
    self->stream = NULL;
    bool written = fflush (stream) == 0 && !ferror (stream) && fsync (fileno (stream)) == 0;
    int saved = errno;
    if (fclose (stream) != 0 && written) {
        written = false;
        saved = errno;
    }
    if (!written) {
        snprintf (error, error_size, "cannot write %s: %s", self->path,
                  strerror (saved ? saved : EIO));
        return -1;
    }
    if (s_check_final (self, error, error_size))
        return -1;
    //  rename replaces the name itself, never what a symlink there points to.
    if (renameat (self->dir_fd, self->temporary, self->dir_fd, self->base) != 0) {
        snprintf (error, error_size, "cannot rename into %s: %s", self->path, strerror (errno));
        return -1;
    }
    self->committed = true;
    //  The rename lasts once the directory is on disk too.
    fsync (self->dir_fd);
    return 0;
}

//  --- Directories under a root -----------------------------------------------------------------

static bool s_is_under (const char *path, const char *root)
{
    size_t length = strlen (root);
    if (length == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp (path, root, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

//  An absolute path whose components are plain names (no ".", "..", or empty ones but the
//  slashes at its end).
static bool s_plain_absolute (const char *path)
{
    if (path[0] != '/')
        return false;
    for (const char *part = path + 1; *part;) {
        size_t length = strcspn (part, "/");
        if ((length == 1 && part[0] == '.') || (length == 2 && part[0] == '.' && part[1] == '.'))
            return false;
        part += length;
        part += strspn (part, "/");
    }
    return true;
}

//  mkdir -p for the configured root, which is trusted.
static int s_make_root (const char *root)
{
    char partial[PATH_MAX];
    if (strlen (root) >= sizeof partial) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf (partial, sizeof partial, "%s", root);
    for (char *p = partial + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir (partial, 0750) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir (partial, 0750) && errno != EEXIST ? -1 : 0;
}

int jy_file_dir_under (const char *dir, const char *root, bool create, char *resolved,
                       size_t resolved_size, char *error, size_t error_size)
{
    assert (dir && root && resolved && resolved_size >= PATH_MAX);
    if (!s_plain_absolute (dir) || strlen (dir) >= PATH_MAX) {
        snprintf (error, error_size,
                  "%s is not an absolute directory of plain names (no \".\" or \"..\")", dir);
        return -1;
    }
    char root_real[PATH_MAX];
    if (!realpath (root, root_real)) {
        if (errno == ENOENT && !create) {
            //  Nothing is written until the root is made: judge dir by its name alone.
            if (!s_is_under (dir, root)) {
                snprintf (error, error_size, "%s is not under the root %s", dir, root);
                return -1;
            }
            snprintf (resolved, resolved_size, "%s", dir);
            return 0;
        }
        if (errno != ENOENT || s_make_root (root) != 0 || !realpath (root, root_real)) {
            snprintf (error, error_size, "the root %s: %s", root, strerror (errno));
            return -1;
        }
    }
    //  The deepest part of dir that exists, resolved; what follows it is made, or judged, one
    //  plain name at a time.
    char existing[PATH_MAX], real[PATH_MAX];
    snprintf (existing, sizeof existing, "%s", dir);
    size_t missing_from = strlen (existing);
    while (!realpath (existing, real)) {
        if (errno != ENOENT) {
            snprintf (error, error_size, "%s: %s", existing, strerror (errno));
            return -1;
        }
        char *slash = strrchr (existing, '/');
        assert (slash); //  "/" always resolves
        while (slash > existing && slash[-1] == '/')
            slash--;
        missing_from = (size_t) (slash - existing);
        if (slash == existing)
            slash++; //  keep "/"
        *slash = '\0';
    }
    const char *rest = dir + missing_from;
    bool judged = false; //  without create: real names a directory still to be made
    for (;;) {
        if (!s_is_under (real, root_real)) {
            snprintf (error, error_size, "%s resolves to %s, which is not under the root %s", dir,
                      real, root_real);
            return -1;
        }
        struct stat info;
        if (!judged && (stat (real, &info) != 0 || !S_ISDIR (info.st_mode))) {
            snprintf (error, error_size, "%s is not a directory", real);
            return -1;
        }
        rest += strspn (rest, "/");
        size_t length = strcspn (rest, "/");
        if (!length)
            break;
        char next[PATH_MAX];
        if (snprintf (next, sizeof next, "%s%s%.*s", real, strcmp (real, "/") ? "/" : "",
                      (int) length, rest) >= (int) sizeof next) {
            snprintf (error, error_size, "%s: %s", dir, strerror (ENAMETOOLONG));
            return -1;
        }
        rest += length;
        if (!create) {
            snprintf (real, sizeof real, "%s", next);
            judged = true;
            continue; //  a plain name under a directory under the root stays under it
        }
        //  Made here, or by someone else meanwhile: either way it is resolved again.
        if ((mkdir (next, 0750) != 0 && errno != EEXIST) || !realpath (next, real)) {
            snprintf (error, error_size, "cannot create %s: %s", next, strerror (errno));
            return -1;
        }
    }
    snprintf (resolved, resolved_size, "%s", real);
    return 0;
}
