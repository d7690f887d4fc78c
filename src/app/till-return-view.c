/* till-return-view.c: returns (退货): find the sale, pick what comes back, refund; exchanges and no-receipt returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "till-return-view.h"

struct _TillReturnView
{
  GtkWidget parent_instance;

  TillSession *session;
};

G_DEFINE_FINAL_TYPE (TillReturnView, till_return_view, GTK_TYPE_WIDGET)

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
till_return_view_dispose (GObject *object)
{
  TillReturnView *self = TILL_RETURN_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_RETURN_VIEW);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_return_view_parent_class)->dispose (object);
}

static void
till_return_view_class_init (TillReturnViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_return_view_dispose;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-return-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "return.close", NULL, close_action);
}

static void
till_return_view_init (TillReturnView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
till_return_view_set_session (TillReturnView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));

  g_set_object (&self->session, session);
}

void
till_return_view_reset (TillReturnView *self)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));
}

void
till_return_view_find_receipt (TillReturnView *self, const char *code)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));
  g_return_if_fail (code != NULL);
}
