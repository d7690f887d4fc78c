/* till-test-util.h: what every Check suite needs: scratch directories, the
 * output directory for pictures, and running a suite.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <check.h>
#include <glib.h>

G_BEGIN_DECLS

/* A new empty directory under $TMPDIR; remove it with till_test_remove_tree(). */
char *till_test_make_tmpdir (void) G_GNUC_WARN_UNUSED_RESULT;
void  till_test_remove_tree (const char *path);

/* $OPENTILL_TEST_OUTPUT/SUBDIR/NAME (the directory is created), where tests leave
 * screenshots and receipt renderings for a person to look at. */
char *till_test_output_path (const char *subdir, const char *name) G_GNUC_WARN_UNUSED_RESULT;

/* A file of the source tree, e.g. "tests/hw/golden/receipt-80.bin". */
char *till_test_source_path (const char *relative) G_GNUC_WARN_UNUSED_RESULT;

/* Runs the suite with Check's normal output; returns the process exit status. */
int till_test_run_suite (Suite *suite);

G_END_DECLS
