/*  jy_file: a file is made through a fresh temporary and renamed; a symlink planted at the
    final name (before or during the write) is refused and what it points to is left alone; a
    directory is accepted only when its real path is under the root. */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journey/jy_file.h"
#include "jy_test.h"

static char s_top[64];

static const char *s_path (const char *name)
{
    static char paths[8][PATH_MAX];
    static int next;
    char *path = paths[next++ % 8];
    snprintf (path, PATH_MAX, "%s/%s", s_top, name);
    return path;
}

static void s_put (const char *name, const char *text)
{
    FILE *file = fopen (s_path (name), "w");
    assert (file);
    fputs (text, file);
    fclose (file);
}

static char *s_text (const char *path)
{
    static char text[256];
    text[0] = '\0';
    FILE *file = fopen (path, "r");
    if (!file)
        return text;
    size_t n = fread (text, 1, sizeof text - 1, file);
    text[n] = '\0';
    fclose (file);
    return text;
}

static int s_entries (const char *name)
{
    DIR *dir = opendir (s_path (name));
    if (!dir)
        return -1;
    int count = 0;
    for (struct dirent *entry = readdir (dir); entry; entry = readdir (dir))
        count += strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0;
    closedir (dir);
    return count;
}

//  jy_file_new, write, commit: the file is there with the mode asked, and nothing else is.
static void s_check_write (void)
{
    char error[512] = "";
    jy_file_t *file = jy_file_new (s_path ("root/a.txt"), 0640, error, sizeof error);
    CHECK (file != NULL);
    CHECK_STR (error, "");
    fputs ("hello\n", jy_file_stream (file));
    CHECK_INT (s_entries ("root"), 1); //  the temporary, under another name
    CHECK (access (s_path ("root/a.txt"), F_OK) != 0);
    CHECK_INT (jy_file_commit (file, error, sizeof error), 0);
    jy_file_destroy (&file);
    CHECK_STR (s_text (s_path ("root/a.txt")), "hello\n");
    struct stat info;
    CHECK (stat (s_path ("root/a.txt"), &info) == 0 && (info.st_mode & 07777) == 0640);
    CHECK_INT (s_entries ("root"), 1);

    //  Replacing a plain file; destroyed without commit, the temporary goes.
    file = jy_file_new (s_path ("root/a.txt"), 0640, error, sizeof error);
    fputs ("again\n", jy_file_stream (file));
    CHECK_INT (jy_file_commit (file, error, sizeof error), 0);
    jy_file_destroy (&file);
    CHECK_STR (s_text (s_path ("root/a.txt")), "again\n");
    file = jy_file_new (s_path ("root/a.txt"), 0640, error, sizeof error);
    fputs ("abandoned\n", jy_file_stream (file));
    jy_file_destroy (&file);
    CHECK_STR (s_text (s_path ("root/a.txt")), "again\n");
    CHECK_INT (s_entries ("root"), 1);
}

//  Symlinks planted at the old temporary name and at the final name, pointing outside.
static void s_check_symlinks (void)
{
    char error[512] = "";
    s_put ("outside/victim", "precious\n");
    //  The writers used to open NAME.tmp: a symlink there is simply not used.
    CHECK (symlink (s_path ("outside/victim"), s_path ("root/b.txt.tmp")) == 0);
    jy_file_t *file = jy_file_new (s_path ("root/b.txt"), 0640, error, sizeof error);
    CHECK (file != NULL);
    if (file) {
        fputs ("pack\n", jy_file_stream (file));
        CHECK_INT (jy_file_commit (file, error, sizeof error), 0);
        jy_file_destroy (&file);
    }
    CHECK_STR (s_text (s_path ("outside/victim")), "precious\n");
    CHECK_STR (s_text (s_path ("root/b.txt")), "pack\n");

    //  At the final name: refused at once, naming it.
    CHECK (symlink (s_path ("outside/victim"), s_path ("root/c.txt")) == 0);
    file = jy_file_new (s_path ("root/c.txt"), 0640, error, sizeof error);
    CHECK (file == NULL);
    CHECK (strstr (error, "c.txt is a symlink, not a plain file: refused") != NULL);
    jy_file_destroy (&file);
    CHECK_STR (s_text (s_path ("outside/victim")), "precious\n");

    //  Planted while the file is written: the commit is refused, the temporary removed.
    int before = s_entries ("root");
    file = jy_file_new (s_path ("root/d.txt"), 0640, error, sizeof error);
    CHECK (file != NULL);
    if (file) {
        fputs ("late\n", jy_file_stream (file));
        CHECK (symlink (s_path ("outside/victim"), s_path ("root/d.txt")) == 0);
        CHECK_INT (jy_file_commit (file, error, sizeof error), -1);
        CHECK (strstr (error, "d.txt is a symlink, not a plain file: refused") != NULL);
        jy_file_destroy (&file);
    }
    CHECK_STR (s_text (s_path ("outside/victim")), "precious\n");
    CHECK_INT (s_entries ("root"), before + 1); //  the planted link only

    //  A directory at the final name.
    CHECK (mkdir (s_path ("root/e.txt"), 0700) == 0);
    file = jy_file_new (s_path ("root/e.txt"), 0640, error, sizeof error);
    CHECK (file == NULL && strstr (error, "is a directory, not a plain file") != NULL);
}

static void s_check_dirs (void)
{
    char error[PATH_MAX + 256] = "", resolved[PATH_MAX], root_real[PATH_MAX], root[PATH_MAX];
    snprintf (root, sizeof root, "%s", s_path ("root"));
    CHECK (realpath (root, root_real) != NULL);

    //  The root itself, and new directories under it, made one at a time.
    CHECK_INT (jy_file_dir_under (root, root, true, resolved, sizeof resolved, error, sizeof error),
               0);
    CHECK_STR (resolved, root_real);
    char expected[PATH_MAX + 16];
    snprintf (expected, sizeof expected, "%s/x/y", root_real);
    //  Without create a missing directory is judged by its existing ancestor, and not made.
    CHECK_INT (jy_file_dir_under (s_path ("root/x/y"), root, false, resolved, sizeof resolved,
                                  error, sizeof error),
               0);
    CHECK (access (s_path ("root/x"), F_OK) != 0);
    CHECK_INT (jy_file_dir_under (s_path ("root/x/y"), root, true, resolved, sizeof resolved, error,
                                  sizeof error),
               0);
    CHECK_STR (resolved, expected);
    struct stat info;
    CHECK (stat (s_path ("root/x/y"), &info) == 0 && S_ISDIR (info.st_mode));

    //  Outside the root: refused naming the root, and nothing made.
    CHECK_INT (jy_file_dir_under (s_path ("outside/new"), root, true, resolved, sizeof resolved,
                                  error, sizeof error),
               -1);
    CHECK (strstr (error, "which is not under the root") && strstr (error, root_real));
    CHECK (access (s_path ("outside/new"), F_OK) != 0);

    //  A symlink inside the root that leads outside: refused, with or without create, and
    //  nothing made beyond it.
    CHECK (symlink (s_path ("outside"), s_path ("root/escape")) == 0);
    CHECK_INT (jy_file_dir_under (s_path ("root/escape"), root, true, resolved, sizeof resolved,
                                  error, sizeof error),
               -1);
    CHECK (strstr (error, "which is not under the root") != NULL);
    CHECK_INT (jy_file_dir_under (s_path ("root/escape/deeper"), root, false, resolved,
                                  sizeof resolved, error, sizeof error),
               -1);
    CHECK_INT (jy_file_dir_under (s_path ("root/escape/deeper"), root, true, resolved,
                                  sizeof resolved, error, sizeof error),
               -1);
    CHECK (access (s_path ("outside/deeper"), F_OK) != 0);

    //  ".." and relative names are refused before anything is resolved.
    CHECK_INT (jy_file_dir_under (s_path ("root/../outside"), root, false, resolved,
                                  sizeof resolved, error, sizeof error),
               -1);
    CHECK (strstr (error, "not an absolute directory of plain names") != NULL);
    CHECK_INT (
        jy_file_dir_under ("root", root, false, resolved, sizeof resolved, error, sizeof error),
        -1);

    //  A file where a directory should be.
    s_put ("root/plain", "x");
    CHECK_INT (jy_file_dir_under (s_path ("root/plain"), root, true, resolved, sizeof resolved,
                                  error, sizeof error),
               -1);
    CHECK (strstr (error, "is not a directory") != NULL);

    //  A root not made yet: judged by name without create, made with it.
    CHECK_INT (jy_file_dir_under (s_path ("later/a"), s_path ("later"), false, resolved,
                                  sizeof resolved, error, sizeof error),
               0);
    CHECK_INT (jy_file_dir_under (s_path ("elsewhere"), s_path ("later"), false, resolved,
                                  sizeof resolved, error, sizeof error),
               -1);
    CHECK_INT (jy_file_dir_under (s_path ("later/a"), s_path ("later"), true, resolved,
                                  sizeof resolved, error, sizeof error),
               0);
    CHECK (stat (s_path ("later/a"), &info) == 0 && S_ISDIR (info.st_mode));
}

int main (void)
{
    snprintf (s_top, sizeof s_top, "/tmp/jy-file-test-XXXXXX");
    if (!mkdtemp (s_top))
        return 1;
    printf ("in %s\n", s_top);
    CHECK (mkdir (s_path ("root"), 0700) == 0);
    CHECK (mkdir (s_path ("outside"), 0700) == 0);
    s_check_write ();
    s_check_symlinks ();
    s_check_dirs ();
    char command[128];
    snprintf (command, sizeof command, "rm -rf %s", s_top);
    if (jy_test_failures == 0 && system (command) != 0)
        fprintf (stderr, "could not remove %s\n", s_top);
    return jy_test_summary ("test_file");
}
