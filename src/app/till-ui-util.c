/* till-ui-util.c: small helpers the till's screens share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-ui-util.h"

char *
till_ui_format_money (gint64 fen)
{
  /* Integer arithmetic only: money is never a double. */
  guint64 magnitude = fen < 0 ? (guint64) 0 - (guint64) fen : (guint64) fen;

  return g_strdup_printf ("%s\xef\xbf\xa5%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "",
                          magnitude / 100, (guint) (magnitude % 100));
}

char *
till_ui_format_quantity (gint64 quantity, gboolean weighed)
{
  guint64     magnitude = quantity < 0 ? (guint64) 0 - (guint64) quantity : (guint64) quantity;
  const char *sign = quantity < 0 ? "-" : "";

  if (weighed)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03u kg", sign, magnitude / TILL_QUANTITY_ONE,
                            (guint) (magnitude % TILL_QUANTITY_ONE));
  if (magnitude % TILL_QUANTITY_ONE == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, magnitude / TILL_QUANTITY_ONE);

  {
    g_autofree char *text =
        g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03u", sign, magnitude / TILL_QUANTITY_ONE,
                         (guint) (magnitude % TILL_QUANTITY_ONE));
    gsize len = strlen (text);

    /* 0.500 reads better as 0.5 */
    while (len > 0 && text[len - 1] == '0')
      text[--len] = '\0';
    return g_steal_pointer (&text);
  }
}

void
till_ui_toast (GtkWidget *widget, const char *message)
{
  GtkWidget *overlay;
  AdwToast  *toast;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

GtkWidget *
till_ui_product_button_new (TillProduct *product)
{
  GtkWidget       *button;
  GtkWidget       *box;
  GtkWidget       *name_label;
  GtkWidget       *price_label;
  const char      *name;
  g_autofree char *price = NULL;

  g_return_val_if_fail (TILL_IS_PRODUCT (product), NULL);

  name = till_product_get_short_name (product);
  if (name == NULL || *name == '\0')
    name = till_product_get_name (product);
  price = till_ui_format_money (till_product_get_price (product));
  if (till_product_get_weighed (product))
    {
      g_autofree char *per_kg = g_strdup_printf (_ ("%s/kg"), price);
      g_free (price);
      price = g_steal_pointer (&per_kg);
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  name_label = gtk_label_new (name);
  gtk_label_set_wrap (GTK_LABEL (name_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (name_label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_justify (GTK_LABEL (name_label), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (name_label), 8);
  gtk_widget_add_css_class (name_label, "product-name");
  price_label = gtk_label_new (price);
  gtk_widget_add_css_class (price_label, "product-price");
  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), price_label);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "product-button");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sale.add-product");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (till_product_get_id (product)));
  return button;
}

static GQuark
disabled_quark (const char *action_name)
{
  g_autofree char *key = g_strconcat ("till-action-disabled:", action_name, NULL);
  return g_quark_from_string (key);
}

void
till_ui_action_set_enabled (GtkWidget *widget, const char *action_name, gboolean enabled)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (action_name != NULL);

  gtk_widget_action_set_enabled (widget, action_name, enabled);
  g_object_set_qdata (G_OBJECT (widget), disabled_quark (action_name), GINT_TO_POINTER (!enabled));
}

gboolean
till_ui_action_get_enabled (GtkWidget *widget, const char *action_name)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (action_name != NULL, FALSE);

  return !GPOINTER_TO_INT (g_object_get_qdata (G_OBJECT (widget), disabled_quark (action_name)));
}
