/* till-login-view.h: the sign-in screen: pick your name, enter your PIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

#define TILL_TYPE_LOGIN_VIEW (till_login_view_get_type ())
G_DECLARE_FINAL_TYPE (TillLoginView, till_login_view, TILL, LOGIN_VIEW, GtkWidget)

/* Lists the session's active users as tiles. */
void till_login_view_set_session (TillLoginView *self, TillSession *session);
/* Back to the start: no PIN, no message (the chosen user stays chosen). */
void till_login_view_reset (TillLoginView *self);
/* A failed sign-in: shows message and clears the PIN. */
void        till_login_view_show_error (TillLoginView *self, const char *message);
const char *till_login_view_get_message (TillLoginView *self);

G_END_DECLS
