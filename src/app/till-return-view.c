/* till-return-view.c: returns (退货): find the sale, pick what comes back, refund; exchanges and
 * no-receipt returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <till-receipt.h>

#include "till-application.h"
#include "till-override-dialog.h"
#include "till-printer-monitor.h"
#include "till-return-view.h"
#include "till-ui-util.h"
#include "widgets/till-keypad.h"

/* A keyed code this long is a barcode, shorter a PLU (as on the sale screen). */
#define MIN_KEYED_BARCODE 8

typedef enum
{
  COMMIT_REFUND,
  COMMIT_EXCHANGE,
} CommitKind;

struct _TillReturnView
{
  GtkWidget parent_instance;

  TillSession *session;
  TillReturn  *ret;           /* the return being put together, or the one just committed */
  TillSale    *exchange_sale; /* the new sale of a committed exchange */
  gint64       exchange_tendered;
  CommitKind   pending_commit;
  gboolean     message_is_error;
  char        *message;

  TillOverrideDialog *override_dialog;

  /* template children */
  GtkWidget *page_stack;
  GtkWidget *message_label;
  GtkWidget *receipt_keypad;
  GtkWidget *today_button;
  GtkWidget *yesterday_button;
  GtkWidget *amount_entry;
  GtkWidget *result_box;
  GtkWidget *sale_header_label;
  GtkWidget *line_box;
  GtkWidget *product_entry;
  GtkWidget *quantity_entry;
  GtkWidget *price_entry;
  GtkWidget *product_box;
  GtkWidget *side_box;
  GtkWidget *reason_box;
  GtkWidget *refund_label;
  GtkWidget *method_label;
  GtkWidget *refund_button;
  GtkWidget *exchange_cash_entry;
  GtkWidget *exchange_button;
  GtkWidget *exchange_hint_label;
  GtkWidget *done_caption_label;
  GtkWidget *done_amount_label;
  GtkWidget *done_details_label;
  GtkWidget *print_status_label;

  GtkWidget *reason_buttons[TILL_N_RETURN_REASONS];
};

G_DEFINE_FINAL_TYPE (TillReturnView, till_return_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update (TillReturnView *self);

static TillCart *
get_cart (TillReturnView *self)
{
  return self->session != NULL ? till_session_get_cart (self->session) : NULL;
}

static TillPrinterMonitor *
get_printer_monitor (TillReturnView *self)
{
  GtkRoot        *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app =
      GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return TILL_IS_APPLICATION (app) ? till_application_get_printer_monitor (TILL_APPLICATION (app))
                                   : NULL;
}

static void
set_message (TillReturnView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  self->message_is_error = is_error && message != NULL;
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, *self->message != '\0');
  if (self->message_is_error)
    gtk_widget_add_css_class (self->message_label, "error-message");
  else
    gtk_widget_remove_css_class (self->message_label, "error-message");
}

static void
show_page (TillReturnView *self, const char *name)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), name);
  update (self);
}

static const char *
current_page (TillReturnView *self)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (self->page_stack));
}

static void
remove_children (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

static GtkWidget *
label_new (const char *text, float xalign, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* A big square button for a finger, running @action with @index. */
static GtkWidget *
step_button_new (const char *text, const char *action, guint index, gboolean sensitive)
{
  GtkWidget *button = gtk_button_new_with_label (text);

  gtk_widget_set_size_request (button, 64, 56);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_uint32 (index));
  gtk_widget_set_sensitive (button, sensitive);
  return button;
}

/* The return line picked from sale line @sale_line_no, or NULL. */
static const TillReturnLine *
find_return_line (TillReturn *ret, int sale_line_no)
{
  for (guint i = 0; i < till_return_get_n_lines (ret); i++)
    {
      const TillReturnLine *line = till_return_get_line (ret, i);

      if (line->sale_line_no == sale_line_no)
        return line;
    }
  return NULL;
}

static void
rebuild_sale_lines (TillReturnView *self)
{
  TillSale *sale = self->ret != NULL ? till_return_get_sale (self->ret) : NULL;

  remove_children (self->line_box);
  if (sale == NULL)
    return;

  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine   *line = till_sale_get_line (sale, i);
      const TillReturnLine *picked = find_return_line (self->ret, line->line_no);
      gint64                returnable = till_return_get_returnable (self->ret, i);
      gint64                quantity = till_return_get_quantity (self->ret, i);
      gint64                before = till_return_get_returned_before (self->ret, i);
      g_autofree char      *sold_text = till_ui_format_quantity (line->quantity, line->weighed);
      g_autofree char      *before_text = till_ui_format_quantity (before, line->weighed);
      g_autofree char      *sold = g_strdup_printf (_ ("Sold %s"), sold_text);
      g_autofree char      *returned = g_strdup_printf (_ ("Returned %s"), before_text);
      g_autofree char      *quantity_text = till_ui_format_quantity (quantity, line->weighed);
      g_autofree char      *refund = till_ui_format_money (picked != NULL ? picked->amount : 0);
      GtkWidget            *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget            *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget            *name = label_new (line->name, 0, NULL);
      GtkWidget            *figures = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
      GtkWidget            *amount = label_new (refund, 1, "numeric");

      gtk_widget_add_css_class (row, "card");
      gtk_widget_set_margin_end (row, 8);
      gtk_widget_set_hexpand (names, TRUE);
      gtk_widget_set_margin_start (names, 12);
      gtk_widget_set_valign (names, GTK_ALIGN_CENTER);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (name, "heading");
      gtk_box_append (GTK_BOX (names), name);
      gtk_box_append (GTK_BOX (figures), label_new (sold, 0, "dim-label"));
      gtk_box_append (GTK_BOX (figures), label_new (returned, 0, before > 0 ? NULL : "dim-label"));
      gtk_box_append (GTK_BOX (names), figures);
      gtk_box_append (GTK_BOX (row), names);

      if (line->weighed)
        {
          /* Weighed goods come back whole or not at all. */
          GtkWidget *toggle = gtk_toggle_button_new_with_label (_ ("Return"));

          gtk_widget_set_size_request (toggle, 160, 56);
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), quantity > 0);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (toggle), "return.toggle-line");
          gtk_actionable_set_action_target_value (GTK_ACTIONABLE (toggle),
                                                  g_variant_new_uint32 (i));
          gtk_widget_set_sensitive (toggle, returnable > 0);
          gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
          gtk_box_append (GTK_BOX (row), toggle);
        }
      else
        {
          GtkWidget *quantity_label = label_new (quantity_text, 0.5, "title-3");

          gtk_widget_set_size_request (quantity_label, 56, -1);
          gtk_box_append (GTK_BOX (row), step_button_new ("−", "return.decrease", i, quantity > 0));
          gtk_box_append (GTK_BOX (row), quantity_label);
          gtk_box_append (GTK_BOX (row),
                          step_button_new ("+", "return.increase", i, quantity < returnable));
        }
      gtk_widget_set_size_request (amount, 110, -1);
      gtk_widget_set_margin_end (amount, 12);
      gtk_widget_add_css_class (amount, "title-4");
      gtk_box_append (GTK_BOX (row), amount);
      gtk_box_append (GTK_BOX (self->line_box), row);
    }
}

static void
rebuild_products (TillReturnView *self)
{
  remove_children (self->product_box);
  if (self->ret == NULL || till_return_get_sale (self->ret) != NULL)
    return;

  for (guint i = 0; i < till_return_get_n_lines (self->ret); i++)
    {
      const TillReturnLine *line = till_return_get_line (self->ret, i);
      g_autofree char      *quantity = till_ui_format_quantity (line->quantity, line->weighed);
      g_autofree char      *price = till_ui_format_money (line->unit_price);
      g_autofree char      *detail = g_strdup_printf ("%s × %s", quantity, price);
      g_autofree char      *amount = till_ui_format_money (line->amount);
      GtkWidget            *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget            *name = label_new (line->name, 0, "heading");
      GtkWidget            *remove = step_button_new (_ ("Remove"), "return.remove-line", i, TRUE);

      gtk_widget_add_css_class (row, "card");
      gtk_widget_set_hexpand (name, TRUE);
      gtk_widget_set_margin_start (name, 12);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (row), name);
      gtk_box_append (GTK_BOX (row), label_new (detail, 1, "dim-label"));
      gtk_box_append (GTK_BOX (row), label_new (amount, 1, "title-4"));
      gtk_widget_set_size_request (remove, 96, 56);
      gtk_box_append (GTK_BOX (row), remove);
      gtk_box_append (GTK_BOX (self->product_box), row);
    }
}

/* Everything that depends on the return: the lines, the refund and where it
 * goes, and which buttons work. One place, called after every change. */
static void
update (TillReturnView *self)
{
  const char *page = current_page (self);
  gboolean    picking = g_strcmp0 (page, "pick") == 0 || g_strcmp0 (page, "no-receipt") == 0;
  gboolean    open = self->ret != NULL && !till_return_is_committed (self->ret);
  gboolean    has_lines = open && till_return_get_n_lines (self->ret) > 0;
  TillCart   *cart = get_cart (self);
  gboolean    cart_has_lines = cart != NULL && till_cart_get_n_lines (cart) > 0;

  gtk_widget_set_visible (self->side_box, picking);
  if (g_strcmp0 (page, "pick") == 0)
    rebuild_sale_lines (self);
  else if (g_strcmp0 (page, "no-receipt") == 0)
    rebuild_products (self);

  if (open)
    {
      g_autofree char *refund = till_ui_format_money (till_return_get_refund_total (self->ret));
      g_autofree char *to = g_strdup_printf (
          _ ("to %s"),
          till_receipt_refund_method_label (till_return_get_refund_method (self->ret)));

      gtk_label_set_text (GTK_LABEL (self->refund_label), refund);
      gtk_label_set_text (GTK_LABEL (self->method_label), to);
      for (guint i = 0; i < TILL_N_RETURN_REASONS; i++)
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->reason_buttons[i]),
                                      till_return_get_reason (self->ret) == i);
    }

  if (!cart_has_lines)
    gtk_label_set_text (GTK_LABEL (self->exchange_hint_label),
                        _ ("Exchange: ring up the new goods on the sale screen first."));
  else
    {
      g_autofree char *total = till_ui_format_money (till_cart_get_total (cart));
      g_autofree char *hint =
          g_strdup_printf (_ ("Exchange for the sale in progress (%s)."), total);

      gtk_label_set_text (GTK_LABEL (self->exchange_hint_label), hint);
    }

  till_ui_action_set_enabled (GTK_WIDGET (self), "return.refund", has_lines);
  till_ui_action_set_enabled (GTK_WIDGET (self), "return.exchange", has_lines && cart_has_lines);
  till_ui_action_set_enabled (GTK_WIDGET (self), "return.exchange-cash",
                              has_lines && cart_has_lines);
  till_ui_action_set_enabled (GTK_WIDGET (self), "return.pick-all",
                              open && till_return_get_sale (self->ret) != NULL);
  till_ui_action_set_enabled (GTK_WIDGET (self), "return.back", g_strcmp0 (page, "done") != 0);
}

/* Starts picking from @sale, or says why its goods cannot come back. */
static void
open_sale (TillReturnView *self, TillSale *sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReturn) ret = NULL;
  g_autoptr (GDateTime) created = till_sale_get_created (sale);
  g_autofree char *receipt_no = till_sale_format_receipt_no (sale);
  g_autofree char *time = g_date_time_format (created, "%Y-%m-%d %H:%M");
  g_autofree char *total = till_ui_format_money (till_sale_get_total (sale));
  g_autofree char *header = NULL;
  gint64           returnable = 0;

  ret = till_return_new_with_receipt (till_session_get_store (self->session), sale, &error);
  if (ret == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    returnable += till_return_get_returnable (ret, i);
  if (returnable == 0)
    {
      g_autofree char *message =
          g_strdup_printf (_ ("Everything on receipt %s was returned already."), receipt_no);

      set_message (self, message, TRUE);
      return;
    }

  g_set_object (&self->ret, ret);
  g_clear_object (&self->exchange_sale);
  header = g_strdup_printf (_ ("Receipt %s · %s · cashier %s · total %s"), receipt_no, time,
                            till_sale_get_cashier_name (sale), total);
  gtk_label_set_text (GTK_LABEL (self->sale_header_label), header);
  set_message (self, _ ("Pick what comes back."), FALSE);
  show_page (self, "pick");
}

static void
receipt_keypad_activate_cb (TillReturnView *self)
{
  const char *text = till_keypad_get_text (TILL_KEYPAD (self->receipt_keypad));

  if (text == NULL || *text == '\0')
    {
      set_message (self, _ ("Type the receipt number first."), TRUE);
      return;
    }
  till_return_view_find_receipt (self, text);
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);

  till_return_view_reset (self);
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

/* Back: from picking to the start, from the start to the sale. */
static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);

  if (g_strcmp0 (current_page (self), "find") == 0)
    {
      close_action (widget, action_name, parameter);
      return;
    }
  till_return_view_reset (self);
}

static void
find_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  till_return_view_find_receipt (TILL_RETURN_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
open_sale_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = till_sale_load (till_session_get_store (self->session),
                                              g_variant_get_string (parameter, NULL), &error);

  if (sale == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  open_sale (self, sale);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) day = NULL;
  g_autoptr (GPtrArray) sales = NULL;
  g_autofree char *day_text = NULL;
  const char      *amount_text = gtk_editable_get_text (GTK_EDITABLE (self->amount_entry));
  gint64           total = -1;

  if (amount_text != NULL && *amount_text != '\0' &&
      (!till_money_parse (amount_text, &total, NULL) || total < 0))
    {
      set_message (self, _ ("Type the amount as on the receipt, e.g. 25.50."), TRUE);
      return;
    }
  day = g_date_time_add_days (
      now, gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->yesterday_button)) ? -1 : 0);
  day_text = g_date_time_format (day, "%Y-%m-%d");
  sales =
      till_return_search_sales (till_session_get_store (self->session), day_text, total, &error);
  remove_children (self->result_box);
  if (sales == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  if (sales->len == 0)
    {
      set_message (self, _ ("No sale of that day has that amount."), TRUE);
      return;
    }
  set_message (self, _ ("Tap the customer's sale."), FALSE);
  for (guint i = 0; i < sales->len; i++)
    {
      TillSale *sale = g_ptr_array_index (sales, i);
      g_autoptr (GDateTime) created = till_sale_get_created (sale);
      g_autofree char *time = g_date_time_format (created, "%H:%M");
      g_autofree char *receipt_no = till_sale_format_receipt_no (sale);
      g_autofree char *sale_total = till_ui_format_money (till_sale_get_total (sale));
      g_autofree char *text = g_strdup_printf ("%s   %s   %s   %s", time, receipt_no, sale_total,
                                               till_sale_get_cashier_name (sale));
      GtkWidget       *button = gtk_button_new_with_label (text);

      gtk_widget_set_size_request (button, -1, 56);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "return.open-sale");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_string (till_sale_get_uuid (sale)));
      gtk_box_append (GTK_BOX (self->result_box), button);
    }
}

static void
amount_entry_activate_cb (TillReturnView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "return.search", NULL);
}

static void
no_receipt_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  g_autoptr (TillReturn) ret =
      till_return_new_without_receipt (till_session_get_store (self->session));

  g_set_object (&self->ret, ret);
  g_clear_object (&self->exchange_sale);
  set_message (self, _ ("Scan or type each product that comes back."), FALSE);
  show_page (self, "no-receipt");
  gtk_widget_grab_focus (self->product_entry);
}

/* Sets the quantity of sale line @index, saying why when the core refuses. */
static void
set_quantity (TillReturnView *self, guint index, gint64 quantity)
{
  g_autoptr (GError) error = NULL;

  if (self->ret == NULL || till_return_is_committed (self->ret))
    return;
  if (!till_return_set_quantity (self->ret, index, quantity, &error))
    set_message (self, error->message, TRUE);
  else
    set_message (self, NULL, FALSE);
  update (self);
}

static void
step_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  guint           index = g_variant_get_uint32 (parameter);
  gint64          quantity;

  if (self->ret == NULL || till_return_get_sale (self->ret) == NULL ||
      index >= till_sale_get_n_lines (till_return_get_sale (self->ret)))
    return;
  quantity = till_return_get_quantity (self->ret, index);
  if (g_str_equal (action_name, "return.increase"))
    quantity += TILL_QUANTITY_ONE;
  else if (g_str_equal (action_name, "return.decrease"))
    quantity = MAX (0, quantity - TILL_QUANTITY_ONE);
  else /* toggle-line: a weighed line, whole or nothing */
    quantity = quantity > 0 ? 0 : till_return_get_returnable (self->ret, index);
  set_quantity (self, index, quantity);
}

static void
pick_all_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  g_autoptr (GError) error = NULL;

  if (self->ret == NULL || till_return_is_committed (self->ret))
    return;
  if (!till_return_pick_all (self->ret, &error))
    set_message (self, error->message, TRUE);
  else
    set_message (self, NULL, FALSE);
  update (self);
}

static void
set_reason_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView  *self = TILL_RETURN_VIEW (widget);
  TillReturnReason reason;

  if (self->ret == NULL || till_return_is_committed (self->ret) ||
      !till_return_reason_from_string (g_variant_get_string (parameter, NULL), &reason))
    return;
  till_return_set_reason (self->ret, reason);
  update (self);
}

/* Keeps the reason buttons showing the return's reason: a tap on the one
 * already chosen must not leave none chosen. */
static void
reason_toggled_cb (GtkToggleButton *button, TillReturnView *self)
{
  const char      *name = g_object_get_data (G_OBJECT (button), "reason");
  TillReturnReason reason;

  if (self->ret == NULL || till_return_is_committed (self->ret) ||
      !till_return_reason_from_string (name, &reason))
    return;
  if (gtk_toggle_button_get_active (button) && till_return_get_reason (self->ret) != reason)
    {
      till_return_set_reason (self->ret, reason);
      update (self);
    }
  else if (!gtk_toggle_button_get_active (button) && till_return_get_reason (self->ret) == reason)
    gtk_toggle_button_set_active (button, TRUE);
}

/* Adds the product @code (barcode or PLU) with the quantity and price typed
 * beside it: the current price unless one was typed. */
static void
add_product (TillReturnView *self, const char *code)
{
  TillCatalog *catalog = till_session_get_catalog (self->session);
  const char  *quantity_text = gtk_editable_get_text (GTK_EDITABLE (self->quantity_entry));
  const char  *price_text = gtk_editable_get_text (GTK_EDITABLE (self->price_entry));
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (code));
  gint64           quantity = TILL_QUANTITY_ONE;
  gint64           price = -1;

  if (self->ret == NULL || till_return_is_committed (self->ret) ||
      till_return_get_sale (self->ret) != NULL)
    return;
  if (*stripped == '\0')
    {
      set_message (self, _ ("Scan or type the product's barcode or PLU."), TRUE);
      return;
    }
  if (*quantity_text != '\0' &&
      (!till_quantity_parse (quantity_text, &quantity, NULL) || quantity <= 0))
    {
      set_message (self, _ ("Type the quantity, e.g. 2 or 0.5."), TRUE);
      return;
    }
  if (*price_text != '\0' && (!till_money_parse (price_text, &price, NULL) || price < 0))
    {
      set_message (self, _ ("Type the price, e.g. 12.50."), TRUE);
      return;
    }
  if (strlen (stripped) >= MIN_KEYED_BARCODE)
    product = till_catalog_lookup_barcode (catalog, stripped, &error);
  else
    product = till_catalog_lookup_plu (catalog, stripped, &error);
  if (product == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  /* A weighed product keyed as "1" means 1 kg, as counted goods mean 1 each. */
  if (!till_return_add_product (self->ret, product, quantity, price, &error))
    {
      set_message (self, error->message, TRUE);
      return;
    }
  {
    g_autofree char *message = g_strdup_printf (_ ("Added %s"), till_product_get_name (product));

    set_message (self, message, FALSE);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->product_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->quantity_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->price_entry), "");
  update (self);
}

static void
add_product_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  add_product (TILL_RETURN_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
product_entry_activate_cb (TillReturnView *self)
{
  add_product (self, gtk_editable_get_text (GTK_EDITABLE (self->product_entry)));
}

static void
remove_line_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  g_autoptr (GError) error = NULL;

  if (self->ret == NULL || till_return_is_committed (self->ret))
    return;
  if (!till_return_remove_line (self->ret, g_variant_get_uint32 (parameter), &error))
    set_message (self, error->message, TRUE);
  update (self);
}

/* The slip (and for cash paid out, the drawer) after the return is durable;
 * for an exchange, the new sale's receipt too. Paper never undoes a refund. */
static void
queue_printing (TillReturnView *self)
{
  TillPrinterMonitor *monitor = get_printer_monitor (self);
  TillUser           *user = till_session_get_user (self->session);
  const char         *user_code = user != NULL ? till_user_get_code (user) : NULL;
  g_autoptr (GError) error = NULL;
  gboolean cash_out = till_return_get_cash_refund (self->ret) > 0;
  gboolean ok = TRUE;

  if (monitor == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->print_status_label), "");
      return;
    }
  if (self->exchange_sale != NULL)
    {
      /* One drawer opening for the cash either way. */
      ok = till_printer_monitor_queue_sale (monitor, self->exchange_sale,
                                            cash_out || self->exchange_tendered > 0, user_code,
                                            NULL, &error);
      cash_out = FALSE;
    }
  if (ok)
    ok = till_printer_monitor_queue_refund (monitor, self->ret, cash_out, user_code, NULL, &error);
  if (!ok)
    {
      g_autofree char *message = g_strdup_printf (_ ("Slip not printed: %s"), error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_warning ("%s", message);
      gtk_label_set_text (GTK_LABEL (self->print_status_label), message);
      return;
    }
  gtk_label_set_text (GTK_LABEL (self->print_status_label),
                      _ ("The slip is printing: the customer signs it, the store keeps it."));
}

/* "Return R01-… · 微信支付 ￥30.00 (refund in progress) · 现金 ￥20.00". */
static char *
describe_refunds (TillReturn *ret, const char *return_no)
{
  GString *text = g_string_new (NULL);
  guint    n_refunds = till_return_get_n_refunds (ret);

  g_string_printf (text, _ ("Return %s"), return_no);
  for (guint i = 0; n_refunds > 1 && i < n_refunds; i++)
    {
      const TillRefund *refund = till_return_get_refund (ret, i);
      g_autofree char  *money = till_ui_format_money (refund->amount);

      g_string_append_printf (text, " · %s %s", till_receipt_refund_method_label (refund->method),
                              money);
      if (refund->state == TILL_REFUND_STATE_PENDING)
        g_string_append_printf (text, " (%s)", _ ("Refund in progress"));
    }
  return g_string_free (text, FALSE);
}
static void
show_done (TillReturnView *self)
{
  g_autofree char *return_no = till_return_format_return_no (self->ret);
  g_autofree char *details = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *amount = NULL;

  if (self->exchange_sale != NULL)
    {
      gint64 due =
          till_sale_get_total (self->exchange_sale) - till_return_get_refund_total (self->ret);
      g_autofree char *receipt_no = till_sale_format_receipt_no (self->exchange_sale);

      if (due > 0)
        {
          g_autofree char *change = till_ui_format_money (self->exchange_tendered - due);

          caption = g_strdup (_ ("Exchanged: the customer pays"));
          amount = till_ui_format_money (due);
          details = g_strdup_printf (_ ("Change %s · return %s · new receipt %s"), change,
                                     return_no, receipt_no);
        }
      else if (due < 0)
        {
          caption = g_strdup (_ ("Exchanged: give back in cash"));
          amount = till_ui_format_money (till_return_get_cash_refund (self->ret));
          details = g_strdup_printf (_ ("Return %s · new receipt %s"), return_no, receipt_no);
        }
      else
        {
          caption = g_strdup (_ ("Exchanged: nothing to pay"));
          amount = till_ui_format_money (0);
          details = g_strdup_printf (_ ("Return %s · new receipt %s"), return_no, receipt_no);
        }
    }
  else
    {
      g_autofree char *money = till_ui_format_money (till_return_get_refund_total (self->ret));
      const char      *method = till_return_get_refund_method (self->ret);

      /* "Refund ￥3.50 in cash": the figure goes big below the words. A
       * refund split over the sale's tenders names each part below. */
      caption = g_strdup_printf (_ ("Refund in %s"), till_receipt_refund_method_label (method));
      amount = g_steal_pointer (&money);
      details = describe_refunds (self->ret, return_no);
    }
  gtk_label_set_text (GTK_LABEL (self->done_caption_label), caption);
  gtk_label_set_text (GTK_LABEL (self->done_amount_label), amount);
  gtk_label_set_text (GTK_LABEL (self->done_details_label), details);
  set_message (self, NULL, FALSE);
  queue_printing (self);
  /* Wallet refunds were recorded pending with the return: send them now. */
  till_wallet_service_resume (till_session_get_wallet_service (self->session));
  show_page (self, "done");
}

/* The one core call behind Refund and Exchange; @override NULL at first. */
static gboolean
commit_run (TillReturnView *self, const TillOverride *override, GError **error)
{
  TillJournal *journal = till_session_get_journal (self->session);
  TillUser    *user = till_session_get_user (self->session);

  if (self->pending_commit == COMMIT_EXCHANGE)
    {
      TillSale *sale = till_return_commit_exchange (self->ret, get_cart (self), journal, user,
                                                    self->exchange_tendered, override, error);

      if (sale == NULL)
        return FALSE;
      g_clear_object (&self->exchange_sale);
      self->exchange_sale = sale;
      till_session_checkpoint_when_idle (self->session);
      till_session_kick_sync (self->session);
      return TRUE;
    }
  if (!till_return_commit (self->ret, journal, user, override, error))
    return FALSE;
  /* The return is durable: HQ hears of it now. */
  till_session_kick_sync (self->session);
  return TRUE;
}

static void
override_dialog_destroyed_cb (TillReturnView *self)
{
  self->override_dialog = NULL;
}

static void
override_cancelled_cb (TillReturnView *self)
{
  set_message (self, _ ("Cancelled: nothing was refunded."), FALSE);
}

static void
override_approved_cb (TillReturnView *self, TillOverrideDialog *dialog)
{
  g_autoptr (GError) error = NULL;
  TillOverride override;

  if (self->ret == NULL || till_return_is_committed (self->ret) ||
      !till_override_dialog_get_override (dialog, &override))
    return;
  if (!commit_run (self, &override, &error))
    {
      /* A wrong PIN, or a supervisor who may not approve this either: again. */
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          return;
        }
      set_message (self, error->message, TRUE);
      gtk_window_destroy (GTK_WINDOW (dialog));
      update (self);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
  show_done (self);
}

static const char *
override_reason_for (TillReturnReason reason)
{
  switch (reason)
    {
    case TILL_RETURN_REASON_WRONG_ITEM:
      return TILL_REASON_WRONG_ITEM;
    case TILL_RETURN_REASON_DEFECTIVE:
    case TILL_RETURN_REASON_DAMAGED:
    case TILL_RETURN_REASON_EXPIRED:
      return TILL_REASON_DAMAGED;
    case TILL_RETURN_REASON_CHANGED_MIND:
    default:
      return TILL_REASON_CUSTOMER_CHANGED_MIND;
    }
}

/* Commits as the signed-in user; when the core wants a supervisor, asks for one. */
static void
commit_start (TillReturnView *self, CommitKind kind)
{
  g_autoptr (GError) error = NULL;
  TillPermission permission;
  GtkRoot       *root;

  if (self->ret == NULL || till_return_is_committed (self->ret) || self->session == NULL)
    return;
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  self->pending_commit = kind;
  if (commit_run (self, NULL, &error))
    {
      show_done (self);
      return;
    }
  if (!till_permission_error_needs_override (error))
    {
      set_message (self, error->message, TRUE);
      update (self);
      return;
    }
  set_message (self, error->message, TRUE);
  permission = till_return_get_sale (self->ret) != NULL ? TILL_PERMISSION_RETURN_WITH_RECEIPT
                                                        : TILL_PERMISSION_RETURN_WITHOUT_RECEIPT;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->override_dialog = till_override_dialog_new (
      GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, till_permission_get_label (permission),
      error->message, override_reason_for (till_return_get_reason (self->ret)));
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "cancelled", G_CALLBACK (override_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy",
                           G_CALLBACK (override_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
}

static void
refund_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  commit_start (TILL_RETURN_VIEW (widget), COMMIT_REFUND);
}

/* What the customer still has to pay on top of the refund (0 if nothing). */
static gint64
exchange_due (TillReturnView *self)
{
  return MAX (0, till_cart_get_total (get_cart (self)) - till_return_get_refund_total (self->ret));
}

static void
exchange_with_cash (TillReturnView *self, gint64 tendered)
{
  gint64 due = exchange_due (self);

  if (tendered < due)
    {
      g_autofree char *money = till_ui_format_money (due);
      g_autofree char *message =
          g_strdup_printf (_ ("The customer pays %s more: take at least that in cash."), money);

      set_message (self, message, TRUE);
      return;
    }
  self->exchange_tendered = tendered;
  commit_start (self, COMMIT_EXCHANGE);
}

static void
exchange_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  TillCart       *cart = get_cart (self);
  gint64          due;

  if (self->ret == NULL || till_return_is_committed (self->ret))
    return;
  if (cart == NULL || till_cart_get_n_lines (cart) == 0)
    {
      set_message (self, _ ("Exchange: ring up the new goods on the sale screen first."), TRUE);
      return;
    }
  due = exchange_due (self);
  if (due == 0)
    {
      exchange_with_cash (self, 0);
      return;
    }
  /* The new goods cost more than comes back: ask for the cash first. */
  if (!gtk_widget_get_visible (self->exchange_cash_entry))
    {
      g_autofree char *money = till_ui_format_money (due);
      g_autofree char *message =
          g_strdup_printf (_ ("The customer pays %s more: type the cash received."), money);

      gtk_widget_set_visible (self->exchange_cash_entry, TRUE);
      gtk_widget_grab_focus (self->exchange_cash_entry);
      set_message (self, message, FALSE);
      return;
    }
  {
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->exchange_cash_entry));
    gint64      tendered = 0;

    if (!till_money_parse (text, &tendered, NULL))
      {
        set_message (self, _ ("Type the cash received, e.g. 50."), TRUE);
        return;
      }
    exchange_with_cash (self, tendered);
  }
}

static void
exchange_cash_activate_cb (TillReturnView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "return.exchange", NULL);
}

static void
exchange_cash_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReturnView *self = TILL_RETURN_VIEW (widget);
  TillCart       *cart = get_cart (self);

  if (self->ret == NULL || till_return_is_committed (self->ret) || cart == NULL ||
      till_cart_get_n_lines (cart) == 0)
    return;
  exchange_with_cash (self, g_variant_get_int64 (parameter));
}

static void
build_reason_buttons (TillReturnView *self)
{
  GtkWidget *first = NULL;

  for (guint i = 0; i < TILL_N_RETURN_REASONS; i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (till_return_reason_get_label (i));

      gtk_widget_set_size_request (button, -1, 56);
      g_object_set_data (G_OBJECT (button), "reason", (gpointer) till_return_reason_to_string (i));
      if (first != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), GTK_TOGGLE_BUTTON (first));
      else
        first = button;
      g_signal_connect_object (button, "toggled", G_CALLBACK (reason_toggled_cb), self, 0);
      gtk_flow_box_append (GTK_FLOW_BOX (self->reason_box), button);
      self->reason_buttons[i] = button;
    }
}

static void
cart_changed_cb (TillReturnView *self)
{
  update (self);
}

static void
till_return_view_dispose (GObject *object)
{
  TillReturnView *self = TILL_RETURN_VIEW (object);
  GtkWidget      *child;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_RETURN_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->ret);
  g_clear_object (&self->exchange_sale);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_return_view_parent_class)->dispose (object);
}

static void
till_return_view_finalize (GObject *object)
{
  TillReturnView *self = TILL_RETURN_VIEW (object);

  g_free (self->message);
  G_OBJECT_CLASS (till_return_view_parent_class)->finalize (object);
}

static void
till_return_view_class_init (TillReturnViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_return_view_dispose;
  object_class->finalize = till_return_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TILL_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-return-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, receipt_keypad);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, today_button);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, yesterday_button);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, amount_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, result_box);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, sale_header_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, line_box);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, product_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, quantity_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, price_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, product_box);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, side_box);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, reason_box);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, refund_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, method_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, refund_button);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, exchange_cash_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, exchange_button);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, exchange_hint_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, done_caption_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, done_amount_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, done_details_label);
  gtk_widget_class_bind_template_child (widget_class, TillReturnView, print_status_label);
  gtk_widget_class_bind_template_callback (widget_class, receipt_keypad_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, amount_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, product_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, exchange_cash_activate_cb);

  gtk_widget_class_install_action (widget_class, "return.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "return.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "return.find", "s", find_action);
  gtk_widget_class_install_action (widget_class, "return.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "return.open-sale", "s", open_sale_action);
  gtk_widget_class_install_action (widget_class, "return.no-receipt", NULL, no_receipt_action);
  gtk_widget_class_install_action (widget_class, "return.increase", "u", step_action);
  gtk_widget_class_install_action (widget_class, "return.decrease", "u", step_action);
  gtk_widget_class_install_action (widget_class, "return.toggle-line", "u", step_action);
  gtk_widget_class_install_action (widget_class, "return.pick-all", NULL, pick_all_action);
  gtk_widget_class_install_action (widget_class, "return.set-reason", "s", set_reason_action);
  gtk_widget_class_install_action (widget_class, "return.add-product", "s", add_product_action);
  gtk_widget_class_install_action (widget_class, "return.remove-line", "u", remove_line_action);
  gtk_widget_class_install_action (widget_class, "return.refund", NULL, refund_action);
  gtk_widget_class_install_action (widget_class, "return.exchange", NULL, exchange_action);
  gtk_widget_class_install_action (widget_class, "return.exchange-cash", "x", exchange_cash_action);
}

static void
till_return_view_init (TillReturnView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->message = g_strdup ("");
  build_reason_buttons (self);
  update (self);
}

/**
 * till_return_view_set_session:
 * The store the sales are found in, the cashier who refunds, and the cart an
 * exchange sells.
 */
void
till_return_view_set_session (TillReturnView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));
  g_return_if_fail (session == NULL || TILL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  if (session != NULL)
    g_signal_connect_object (till_session_get_cart (session), "notify::total",
                             G_CALLBACK (cart_changed_cb), self, G_CONNECT_SWAPPED);
  till_return_view_reset (self);
}

void
till_return_view_reset (TillReturnView *self)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  g_clear_object (&self->ret);
  g_clear_object (&self->exchange_sale);
  self->exchange_tendered = 0;
  till_keypad_clear (TILL_KEYPAD (self->receipt_keypad));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->product_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->quantity_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->price_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->exchange_cash_entry), "");
  gtk_widget_set_visible (self->exchange_cash_entry, FALSE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->today_button), TRUE);
  remove_children (self->result_box);
  remove_children (self->line_box);
  remove_children (self->product_box);
  gtk_label_set_text (GTK_LABEL (self->print_status_label), "");
  set_message (self, NULL, FALSE);
  show_page (self, "find");
}

/**
 * till_return_view_find_receipt:
 * @code: a scanned receipt QR (OT1 payload) or a typed receipt number
 *
 * An error (an unknown receipt, another store's) is shown on the screen and
 * nothing else changes.
 */
void
till_return_view_find_receipt (TillReturnView *self, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *till_id = NULL;
  g_autofree char *hash16 = NULL;
  TillStore       *store;
  gint64           receipt_no = 0;

  g_return_if_fail (TILL_IS_RETURN_VIEW (self));
  g_return_if_fail (code != NULL);

  if (self->session == NULL)
    return;
  store = till_session_get_store (self->session);
  if (g_str_has_prefix (code, TILL_RECEIPT_QR_PREFIX "|"))
    {
      if (!till_receipt_qr_parse (code, &till_id, &receipt_no, NULL, NULL, &hash16))
        {
          set_message (self, _ ("This QR code is not one of our receipts."), TRUE);
          return;
        }
      sale = till_return_find_sale (store, till_id, receipt_no, hash16, &error);
    }
  else
    sale = till_return_find_sale_by_number (store, code, &error);
  if (sale == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  till_keypad_clear (TILL_KEYPAD (self->receipt_keypad));
  open_sale (self, sale);
}

/**
 * till_return_view_take_scan:
 * A scanner's code while the returns screen shows: a receipt QR opens its
 * sale, a product code on the no-receipt page adds the product, a receipt
 * number on the start page is looked up.
 */
void
till_return_view_take_scan (TillReturnView *self, const char *code)
{
  g_return_if_fail (TILL_IS_RETURN_VIEW (self));
  g_return_if_fail (code != NULL);

  if (g_str_has_prefix (code, TILL_RECEIPT_QR_PREFIX "|"))
    {
      till_return_view_reset (self);
      till_return_view_find_receipt (self, code);
    }
  else if (g_strcmp0 (current_page (self), "no-receipt") == 0)
    add_product (self, code);
  else if (g_strcmp0 (current_page (self), "find") == 0)
    till_return_view_find_receipt (self, code);
}

/* "find", "pick", "no-receipt" or "done". */
const char *
till_return_view_get_page (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return current_page (self);
}

const char *
till_return_view_get_message (TillReturnView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = self->message_is_error;
  return self->message;
}

TillReturn *
till_return_view_get_return (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return self->ret;
}

TillSale *
till_return_view_get_exchange_sale (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return self->exchange_sale;
}

TillOverrideDialog *
till_return_view_get_override_dialog (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return self->override_dialog;
}

const char *
till_return_view_get_refund_text (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->refund_label));
}

const char *
till_return_view_get_done_amount_text (TillReturnView *self)
{
  g_return_val_if_fail (TILL_IS_RETURN_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->done_amount_label));
}
