/* till-cart-row.c: one line of the cart on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-cart-row.h"
#include "till-ui-util.h"

struct _TillCartRow
{
  GtkWidget parent_instance;

  GtkWidget *number_label;
  GtkWidget *name_label;
  GtkWidget *detail_label;
  GtkWidget *quantity_label;
  GtkWidget *price_label;
  GtkWidget *amount_label;

  GBindingGroup *bindings;
  TillCartLine  *line;
};

G_DEFINE_FINAL_TYPE (TillCartRow, till_cart_row, GTK_TYPE_WIDGET)

static gboolean
money_transform_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_take_string (to, till_ui_format_money (g_value_get_int64 (from)));
  return TRUE;
}

static gboolean
quantity_transform_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  TillCartRow *self = user_data;
  gboolean     weighed = FALSE;

  /* Not g_binding_group_dup_source(): the group's lock is held while it binds. */
  if (self->line != NULL)
    weighed = till_product_get_weighed (till_cart_line_get_product (self->line));
  g_value_take_string (to, till_ui_format_quantity (g_value_get_int64 (from), weighed));
  return TRUE;
}

static void
till_cart_row_dispose (GObject *object)
{
  TillCartRow *self = TILL_CART_ROW (object);

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  g_clear_object (&self->bindings);
  g_clear_object (&self->line);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_CART_ROW);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (till_cart_row_parent_class)->dispose (object);
}

static void
till_cart_row_class_init (TillCartRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_cart_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-cart-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, number_label);
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, quantity_label);
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, price_label);
  gtk_widget_class_bind_template_child (widget_class, TillCartRow, amount_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cartrow");
}

static void
till_cart_row_init (TillCartRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_binding_group_new ();
  g_binding_group_bind_full (self->bindings, "quantity", self->quantity_label, "label",
                             G_BINDING_SYNC_CREATE, quantity_transform_cb, NULL, self, NULL);
  g_binding_group_bind_full (self->bindings, "unit-price", self->price_label, "label",
                             G_BINDING_SYNC_CREATE, money_transform_cb, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "amount", self->amount_label, "label",
                             G_BINDING_SYNC_CREATE, money_transform_cb, NULL, NULL, NULL);
}

GtkWidget *
till_cart_row_new (void)
{
  return g_object_new (TILL_TYPE_CART_ROW, NULL);
}

void
till_cart_row_set_line (TillCartRow *self, TillCartLine *line, guint position)
{
  TillProduct     *product;
  g_autofree char *number = NULL;
  g_autofree char *detail = NULL;

  g_return_if_fail (TILL_IS_CART_ROW (self));
  g_return_if_fail (line == NULL || TILL_IS_CART_LINE (line));

  g_set_object (&self->line, line);
  g_binding_group_set_source (self->bindings, line);
  if (line == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->number_label), "");
      gtk_label_set_text (GTK_LABEL (self->name_label), "");
      gtk_label_set_text (GTK_LABEL (self->detail_label), "");
      return;
    }

  product = till_cart_line_get_product (line);
  number = g_strdup_printf ("%u", position + 1);
  gtk_label_set_text (GTK_LABEL (self->number_label), number);
  gtk_label_set_text (GTK_LABEL (self->name_label), till_product_get_name (product));
  if (till_product_get_plu (product) != NULL && till_product_get_plu (product)[0] != '\0')
    detail = g_strdup_printf (_ ("per %s · PLU %s"), till_product_get_unit (product),
                              till_product_get_plu (product));
  else
    detail = g_strdup_printf (_ ("per %s · %s"), till_product_get_unit (product),
                              till_product_get_sku (product));
  /* A changed price or a discount is said on the line itself, first (the row
   * may cut its end off), so that the cashier and the customer see why the
   * amount is what it is. */
  if (till_cart_line_get_discount_bp (line) > 0)
    {
      int              bp = till_cart_line_get_discount_bp (line);
      g_autofree char *off = bp % 100 == 0
                                 ? g_strdup_printf (_ ("%d %% off"), bp / 100)
                                 : g_strdup_printf (_ ("%d.%02d %% off"), bp / 100, bp % 100);
      char            *longer = g_strjoin (" · ", off, detail, NULL);

      g_free (detail);
      detail = longer;
    }
  if (till_cart_line_has_price_override (line))
    {
      g_autofree char *was_price = till_ui_format_money (till_cart_line_get_original_price (line));
      g_autofree char *was = g_strdup_printf (_ ("was %s"), was_price);
      char            *longer = g_strjoin (" · ", was, detail, NULL);

      g_free (detail);
      detail = longer;
    }
  gtk_label_set_text (GTK_LABEL (self->detail_label), detail);
}

/* For tests: the line under the product's name. */
const char *
till_cart_row_get_detail_text (TillCartRow *self)
{
  g_return_val_if_fail (TILL_IS_CART_ROW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->detail_label));
}

TillCartLine *
till_cart_row_get_line (TillCartRow *self)
{
  g_return_val_if_fail (TILL_IS_CART_ROW (self), NULL);
  return self->line;
}
