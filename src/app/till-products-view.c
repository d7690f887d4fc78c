/* till-products-view.c: the products and prices page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-products-view"

#include "config.h"

#include <glib/gi18n.h>

#include "till-products-view.h"

struct _TillProductsView
{
  GtkWidget parent_instance;

  TillSession *session;
};

G_DEFINE_FINAL_TYPE (TillProductsView, till_products_view, GTK_TYPE_WIDGET)

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
till_products_view_dispose (GObject *object)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (object);
  GtkWidget        *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_PRODUCTS_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_products_view_parent_class)->dispose (object);
}

static void
till_products_view_class_init (TillProductsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_products_view_dispose;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-products-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "products.close", NULL, close_action);
}

static void
till_products_view_init (TillProductsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
till_products_view_set_session (TillProductsView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_PRODUCTS_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
}

void
till_products_view_reset (TillProductsView *self)
{
  g_return_if_fail (TILL_IS_PRODUCTS_VIEW (self));
}
