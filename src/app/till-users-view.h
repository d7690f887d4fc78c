/* till-users-view.h: the manager's screen for users, roles, permissions and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal: "closed": the cashier or manager is done (Back). */
#define TILL_TYPE_USERS_VIEW (till_users_view_get_type ())
G_DECLARE_FINAL_TYPE (TillUsersView, till_users_view, TILL, USERS_VIEW, GtkWidget)

void till_users_view_set_session (TillUsersView *self, TillSession *session);
/* Back to the start of the screen, forgetting anything half done. */
void till_users_view_reset (TillUsersView *self);

G_END_DECLS
