/* till-customer-window.c: the second screen, facing the customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <qrencode.h>

#include "till-customer-window.h"
#include "till-ui-util.h"

/* Pixels per QR module in the texture, and the white border the standard asks
 * for (four modules), so that a phone held at arm's length reads it. */
#define QR_MODULE_PIXELS 8
#define QR_QUIET_MODULES 4

struct _TillCustomerWindow
{
  AdwWindow parent_instance;

  TillCart   *cart;
  GdkTexture *qr_texture;

  GtkLabel    *store_label;
  GtkLabel    *idle_store_label;
  GtkStack    *stack;
  GtkListView *lines_view;
  GtkLabel    *total_label;
  GtkLabel    *count_label;
  GtkLabel    *promotions_label;
  GtkWidget   *qr_box;
  GtkPicture  *qr_picture;
  GtkLabel    *paid_total_label;
  GtkLabel    *paid_label;
  GtkLabel    *change_label;
};

G_DEFINE_FINAL_TYPE (TillCustomerWindow, till_customer_window, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_CART,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
set_money (GtkLabel *label, gint64 fen)
{
  g_autofree char *text = till_ui_format_money (fen);

  gtk_label_set_text (label, text);
}

/* ---- One cart line ------------------------------------------------------------- */

static void
setup_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *quantity = gtk_label_new (NULL);
  GtkWidget *amount = gtk_label_new (NULL);

  gtk_widget_add_css_class (row, "customer-line");
  /* Chinese product names are long ("康师傅 红烧牛肉面 五连包"): two lines,
   * then an ellipsis, rather than one cut short. */
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (name), 2);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (name), 8);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "customer-name");
  gtk_label_set_xalign (GTK_LABEL (quantity), 1);
  gtk_widget_add_css_class (quantity, "customer-quantity-column");
  gtk_widget_add_css_class (quantity, "customer-quantity");
  gtk_label_set_xalign (GTK_LABEL (amount), 1);
  gtk_widget_add_css_class (amount, "customer-amount-column");
  gtk_widget_add_css_class (amount, "customer-amount");
  gtk_box_append (GTK_BOX (row), name);
  gtk_box_append (GTK_BOX (row), quantity);
  gtk_box_append (GTK_BOX (row), amount);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
update_row (GtkListItem *item)
{
  TillCartLine    *line = gtk_list_item_get_item (item);
  GtkWidget       *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget       *quantity = gtk_widget_get_next_sibling (name);
  GtkWidget       *amount = gtk_widget_get_next_sibling (quantity);
  TillProduct     *product = till_cart_line_get_product (line);
  g_autofree char *quantity_text = NULL;

  gtk_label_set_text (GTK_LABEL (name), till_product_get_name (product));
  quantity_text = till_ui_format_quantity (till_cart_line_get_quantity (line),
                                           till_product_get_weighed (product));
  gtk_label_set_text (GTK_LABEL (quantity), quantity_text);
  set_money (GTK_LABEL (amount), till_cart_line_get_amount (line));
}

static void
line_changed_cb (TillCartLine *line, GParamSpec *pspec, GtkListItem *item)
{
  update_row (item);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  TillCartLine *line = gtk_list_item_get_item (item);
  gulong        handler;

  update_row (item);
  /* The quantity of a line changes when the same item is scanned again. */
  handler = g_signal_connect (line, "notify::amount", G_CALLBACK (line_changed_cb), item);
  g_object_set_data (G_OBJECT (item), "till-line-handler", GSIZE_TO_POINTER (handler));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "till-line-handler"));

  if (handler != 0)
    g_signal_handler_disconnect (gtk_list_item_get_item (item), handler);
  g_object_set_data (G_OBJECT (item), "till-line-handler", NULL);
}

/* ---- The cart ---------------------------------------------------------------------- */

static void
update_totals (TillCustomerWindow *self)
{
  gint64           items = till_cart_get_item_count (self->cart);
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, items);
  g_autofree char *count_text =
      g_strdup_printf (ngettext ("%s item", "%s items", (gulong) MAX (items, 0)), count);

  set_money (self->total_label, till_cart_get_total (self->cart));
  gtk_label_set_text (self->count_label, count_text);
}

static void
cart_totals_cb (TillCart *cart, GParamSpec *pspec, TillCustomerWindow *self)
{
  update_totals (self);
}

static void
cart_items_changed_cb (
    GListModel *model, guint position, guint removed, guint added, TillCustomerWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  guint       n_lines = g_list_model_get_n_items (model);

  /* The first scan of the next customer ends the welcome or thank-you page;
   * a cart emptied while on show (voided sale) goes back to the welcome. */
  if (n_lines > 0 && !g_str_equal (page, "sale"))
    gtk_stack_set_visible_child_name (self->stack, "sale");
  else if (n_lines == 0 && g_str_equal (page, "sale"))
    till_customer_window_show_idle (self);

  /* The line just scanned is the one the customer looks for: keep it in sight. */
  if (added > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->lines_view), "list.scroll-to-item", "u",
                                position + added - 1);
}

static void
set_cart (TillCustomerWindow *self, TillCart *cart)
{
  g_autofree char *store_name = NULL;
  GtkNoSelection  *selection;

  g_assert (self->cart == NULL);
  self->cart = g_object_ref (cart);

  store_name = till_store_get_setting (till_cart_get_store (cart), "store.name");
  if (store_name == NULL || *store_name == '\0')
    {
      g_free (store_name);
      store_name = g_strdup ("opentill");
    }
  gtk_label_set_text (self->store_label, store_name);
  gtk_label_set_text (self->idle_store_label, store_name);

  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (cart)));
  gtk_list_view_set_model (self->lines_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  g_signal_connect_object (cart, "notify::total", G_CALLBACK (cart_totals_cb), self, 0);
  g_signal_connect_object (cart, "notify::item-count", G_CALLBACK (cart_totals_cb), self, 0);
  g_signal_connect_object (cart, "items-changed", G_CALLBACK (cart_items_changed_cb), self, 0);
  update_totals (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (cart)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "sale");
}

/* The QR code as a texture: black modules on white, with the quiet zone. */
static GdkTexture *
qr_texture_new (const char *payload, GError **error)
{
  QRcode *code = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_autoptr (GBytes) bytes = NULL;
  guint8 *pixels;
  gsize   size, stride;

  if (code == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Cannot make a QR code of %zu bytes"), strlen (payload));
      return NULL;
    }
  size = ((gsize) code->width + 2 * QR_QUIET_MODULES) * QR_MODULE_PIXELS;
  stride = size * 3;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      if (code->data[y * code->width + x] & 1)
        for (int dy = 0; dy < QR_MODULE_PIXELS; dy++)
          {
            gsize row = (gsize) (y + QR_QUIET_MODULES) * QR_MODULE_PIXELS + (gsize) dy;
            gsize column = (gsize) (x + QR_QUIET_MODULES) * QR_MODULE_PIXELS;

            memset (pixels + row * stride + column * 3, 0, QR_MODULE_PIXELS * 3);
          }
  QRcode_free (code);
  bytes = g_bytes_new_take (pixels, stride * size);
  return gdk_memory_texture_new ((int) size, (int) size, GDK_MEMORY_R8G8B8, bytes, stride);
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
till_customer_window_dispose (GObject *object)
{
  TillCustomerWindow *self = TILL_CUSTOMER_WINDOW (object);

  if (self->lines_view != NULL)
    gtk_list_view_set_model (self->lines_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_CUSTOMER_WINDOW);
  g_clear_object (&self->qr_texture);
  g_clear_object (&self->cart);

  G_OBJECT_CLASS (till_customer_window_parent_class)->dispose (object);
}

static void
till_customer_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCustomerWindow *self = TILL_CUSTOMER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CART:
      g_value_set_object (value, self->cart);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_customer_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TillCustomerWindow *self = TILL_CUSTOMER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CART:
      set_cart (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_customer_window_class_init (TillCustomerWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_customer_window_dispose;
  object_class->get_property = till_customer_window_get_property;
  object_class->set_property = till_customer_window_set_property;

  properties[PROP_CART] =
      g_param_spec_object ("cart", NULL, NULL, TILL_TYPE_CART,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-customer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, idle_store_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, lines_view);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, total_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, promotions_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, qr_box);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, paid_total_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, paid_label);
  gtk_widget_class_bind_template_child (widget_class, TillCustomerWindow, change_label);
}

static void
till_customer_window_init (TillCustomerWindow *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->lines_view, factory);
  gtk_stack_set_visible_child_name (self->stack, "idle");
}

/* ---- Public API ---------------------------------------------------------------------- */

/**
 * till_customer_window_new:
 * A customer display showing @cart (the till's one cart: it is reset, not
 * replaced, after each sale).
 */
TillCustomerWindow *
till_customer_window_new (TillCart *cart)
{
  g_return_val_if_fail (TILL_IS_CART (cart), NULL);

  return g_object_new (TILL_TYPE_CUSTOMER_WINDOW, "cart", cart, NULL);
}

TillCart *
till_customer_window_get_cart (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return self->cart;
}

const char *
till_customer_window_get_page (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * till_customer_window_show_paid:
 * The thank-you page with what the sale came to, what was paid and the change.
 */
void
till_customer_window_show_paid (TillCustomerWindow *self, gint64 total, gint64 paid, gint64 change)
{
  g_return_if_fail (TILL_IS_CUSTOMER_WINDOW (self));

  set_money (self->paid_total_label, total);
  set_money (self->paid_label, paid);
  set_money (self->change_label, change);
  till_customer_window_hide_qr (self);
  gtk_stack_set_visible_child_name (self->stack, "paid");
}

void
till_customer_window_show_idle (TillCustomerWindow *self)
{
  g_return_if_fail (TILL_IS_CUSTOMER_WINDOW (self));

  till_customer_window_hide_qr (self);
  gtk_stack_set_visible_child_name (self->stack, "idle");
}

/**
 * till_customer_window_show_qr:
 * Shows a QR code of @payload under the total until hidden or paid.
 */
gboolean
till_customer_window_show_qr (TillCustomerWindow *self, const char *payload, GError **error)
{
  GdkTexture *texture;

  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  texture = qr_texture_new (payload, error);
  if (texture == NULL)
    return FALSE;
  g_set_object (&self->qr_texture, texture);
  g_object_unref (texture);
  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (self->qr_texture));
  gtk_widget_set_visible (self->qr_box, TRUE);
  return TRUE;
}

void
till_customer_window_hide_qr (TillCustomerWindow *self)
{
  g_return_if_fail (TILL_IS_CUSTOMER_WINDOW (self));

  gtk_widget_set_visible (self->qr_box, FALSE);
  gtk_picture_set_paintable (self->qr_picture, NULL);
  g_clear_object (&self->qr_texture);
}

/* The texture of the QR code on show, or NULL. */
GdkTexture *
till_customer_window_get_qr_texture (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return self->qr_texture;
}

const char *
till_customer_window_get_total_text (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return gtk_label_get_text (self->total_label);
}

const char *
till_customer_window_get_change_text (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return gtk_label_get_text (self->change_label);
}

const char *
till_customer_window_get_store_name (TillCustomerWindow *self)
{
  g_return_val_if_fail (TILL_IS_CUSTOMER_WINDOW (self), NULL);

  return gtk_label_get_text (self->store_label);
}
