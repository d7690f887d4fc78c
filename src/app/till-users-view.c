/* till-users-view.c: the manager's screen for users, roles, permissions and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "till-users-view.h"

struct _TillUsersView
{
  GtkWidget parent_instance;

  TillSession *session;
};

G_DEFINE_FINAL_TYPE (TillUsersView, till_users_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

static void
till_users_view_dispose (GObject *object)
{
  TillUsersView *self = TILL_USERS_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_USERS_VIEW);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_users_view_parent_class)->dispose (object);
}

static void
till_users_view_class_init (TillUsersViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_users_view_dispose;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-users-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "users.close", NULL, close_action);
}

static void
till_users_view_init (TillUsersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
till_users_view_set_session (TillUsersView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_USERS_VIEW (self));

  g_set_object (&self->session, session);
}

void
till_users_view_reset (TillUsersView *self)
{
  g_return_if_fail (TILL_IS_USERS_VIEW (self));
}
