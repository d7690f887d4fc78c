/* till-app-test-util.h: running the real till inside a UI suite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-application.h"
#include "till-window.h"

G_BEGIN_DECLS

/* Starts the till in this process on @config_path, in Chinese and without
 * animations (screenshots never catch a cross-fade), and waits until its window
 * shows. @app_id NULL: org.opentill.TillTest. Returns the window; the
 * application goes to *out_app (the caller unrefs it). */
TillWindow *till_test_start_till (const char       *app_id,
                                  const char       *config_path,
                                  gboolean          windowed,
                                  TillApplication **out_app);

/* Runs one of the window's actions as a button would; fails the test when the
 * action is missing or disabled. Takes a floating @parameter. */
void till_test_activate (TillWindow *window, const char *name, GVariant *parameter);

/* Signs @code in with @pin (win.login) and, when the shift page asks for a
 * float, opens the shift with a zero count (win.shift-open, as its button
 * would); then waits for the sale screen. Fails the test when the till
 * shows anything else (another cashier's shift, a close to finish). */
void till_test_sign_in (TillWindow *window, const char *code, const char *pin);

G_END_DECLS
