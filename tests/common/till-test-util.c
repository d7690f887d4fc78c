/* till-test-util.c: helpers shared by the Check suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "till-test-util.h"

char *
till_test_make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *path = g_dir_make_tmp ("opentill-test-XXXXXX", &error);

  if (path == NULL)
    ck_abort_msg ("Cannot make a scratch directory: %s", error->message);
  return path;
}

void
till_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            till_test_remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

char *
till_test_output_path (const char *subdir, const char *name)
{
  const char      *root = g_getenv ("OPENTILL_TEST_OUTPUT");
  g_autofree char *dir = NULL;

  dir = g_build_filename (root != NULL ? root : "test-output", subdir, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    ck_abort_msg ("Cannot create %s", dir);
  return g_build_filename (dir, name, NULL);
}

char *
till_test_source_path (const char *relative)
{
  const char *root = g_getenv ("OPENTILL_SOURCE_DIR");

  return g_build_filename (root != NULL ? root : ".", relative, NULL);
}

int
till_test_run_suite (Suite *suite)
{
  SRunner *runner = srunner_create (suite);
  int      n_failed;

  srunner_run_all (runner, CK_ENV);
  n_failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
