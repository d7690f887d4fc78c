/* till-ui-test-util.h: what the suites that run the real GTK window share:
 * waiting with a deadline, waiting for painted frames, screenshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How long any wait in a UI suite may take before the test fails. */
#define TILL_TEST_WAIT_MS 20000

typedef gboolean (*TillTestPredicate) (gpointer data);

/* Runs the main loop until @predicate holds; FALSE when @timeout_ms passed. */
gboolean till_test_wait_until (TillTestPredicate predicate, gpointer data, guint timeout_ms);
/* A predicate: the widget @data is mapped. */
gboolean till_test_is_mapped (gpointer data);
/* Waits until @widget's window painted @n frames after now, so that what the
 * last action changed is on screen; fails the test after TILL_TEST_WAIT_MS. */
void till_test_wait_for_frames (GtkWidget *widget, guint n);
/* Saves what @widget shows as $OPENTILL_TEST_OUTPUT/screenshots/@name, for a
 * person to look at (GTK 4.8 has no snapshot call: through GtkWidgetPaintable). */
void till_test_save_screenshot (GtkWidget *widget, const char *name);
/* The same into $OPENTILL_TEST_OUTPUT/@dir/@name: a screen's own folder. */
void till_test_save_screenshot_in (GtkWidget *widget, const char *dir, const char *name);

G_END_DECLS
