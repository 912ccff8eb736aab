/*  jy_file: files written safely into a directory that someone else may be able to write.

    A writer that opens "path.tmp" and renames it follows whatever symlink another user planted
    there, and so overwrites any file the daemon may write. Here the temporary is made next to
    the final name with O_CREAT | O_EXCL | O_NOFOLLOW under a random name, written through a
    FILE, flushed to disk, and renamed over the final name only when that is absent or a plain
    file (a symlink or a directory there is refused, not followed).

        jy_file_t *file = jy_file_new ("/srv/packs/pack.html", 0640, error, sizeof error);
        fputs ("...", jy_file_stream (file));
        if (jy_file_commit (file, error, sizeof error)) ...   //  the new file is in place
        jy_file_destroy (&file);                               //  without commit: removed

    jy_file_dir_under checks that a directory resolves (realpath: every symlink followed) to a
    directory under a configured root, creating what is missing one level at a time, so that a
    directory named by a request, or a symlink inside the root, cannot lead a writer outside.
*/
#ifndef JY_FILE_H_INCLUDED
#define JY_FILE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct _jy_file_t jy_file_t;

//  A temporary beside path (same directory), open for writing with mode. NULL, with the
//  reason in error, when the directory cannot take it or path names a symlink or anything but
//  a plain file.
jy_file_t *jy_file_new (const char *path, mode_t mode, char *error, size_t error_size);
//  Removes the temporary unless committed.
void jy_file_destroy (jy_file_t **self_p);
FILE *jy_file_stream (jy_file_t *self);
//  Flush, fsync and close the temporary, and rename it over the final name (refused when that
//  has become a symlink or anything but a plain file meanwhile). 0, or -1 with the reason in
//  error (the temporary is removed). Once only.
int jy_file_commit (jy_file_t *self, char *error, size_t error_size);

//  Whether dir (absolute, no "." or ".." component) is, or with create becomes, a directory
//  whose real path lies under root's (root itself included; root is created when missing).
//  Without create, the part of dir that does not exist yet is judged by its existing
//  ancestor. 0 with dir's real path in resolved (resolved_size >= PATH_MAX; without create and
//  dir missing, dir as given); -1 with the reason in error, naming dir and root.
int jy_file_dir_under (const char *dir, const char *root, bool create, char *resolved,
                       size_t resolved_size, char *error, size_t error_size);

#endif
