/* till-users-view.h: the manager's screen for users, roles, permissions and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal: "closed": the cashier or manager is done (Back).
 * Actions (each change checked and journaled by the core, errors shown on the
 * screen): users.close, users.tab(s: "users"/"permissions"), users.select(s:
 * code), users.new, users.cancel, users.add-role(s), users.create((sssss):
 * code, name, role, PIN, PIN again), users.create-from-form, users.unlock(s:
 * code), and for the selected user users.set-role(s), users.set-name(s),
 * users.save-name, users.set-limits((sss): discount %, price change and refund
 * in yuan, "" = no limit), users.save-limits, users.default-limits,
 * users.reset-pin((ss)), users.save-pin, users.set-badge(s), users.save-badge,
 * users.remove-badge, users.deactivate, users.reactivate; and
 * users.set-permission((ssb): role, permission by stored names, allowed). */
#define TILL_TYPE_USERS_VIEW (till_users_view_get_type ())
G_DECLARE_FINAL_TYPE (TillUsersView, till_users_view, TILL, USERS_VIEW, GtkWidget)

void till_users_view_set_session (TillUsersView *self, TillSession *session);
/* Back to the start of the screen, forgetting anything half done; shows only a
 * refusal when the signed-in user may not manage users. */
void till_users_view_reset (TillUsersView *self);
void till_users_view_select (TillUsersView *self, const char *code);

/* For tests: what the screen shows. */
const char *till_users_view_get_page (TillUsersView *self);
const char *till_users_view_get_refusal (TillUsersView *self);
const char *till_users_view_get_message (TillUsersView *self, gboolean *out_is_error);
const char *till_users_view_get_selected (TillUsersView *self);
const char *till_users_view_get_state_text (TillUsersView *self, const char *code);
gboolean    till_users_view_get_permission_shown (TillUsersView *self,
                                                  TillRole       role,
                                                  TillPermission permission);

G_END_DECLS
