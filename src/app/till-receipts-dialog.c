/* till-receipts-dialog.c: today's receipts: find one, reprint it, return from it, note on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-override-dialog.h"
#include "till-receipts-dialog.h"
#include "till-ui-util.h"

struct _TillReceiptsDialog
{
  GtkWindow parent_instance;

  /* template children */
  GtkWidget *search_entry;
  GtkWidget *sales_list;
  GtkWidget *sale_title;
  GtkWidget *lines_box;
  GtkWidget *totals_label;
  GtkWidget *notes_box;
  GtkWidget *complaint_button;
  GtkWidget *after_sales_button;
  GtkWidget *note_entry;
  GtkWidget *message_label;

  TillSession        *session;
  TillPrinterMonitor *monitor;
  GPtrArray          *sales; /* TillSale, as listed */
  TillSale           *sale;  /* the one picked */
  guint               n_notes;
  TillSaleNoteKind    note_kind;
  gboolean            message_is_error;
  TillOverrideDialog *override_dialog;
};

G_DEFINE_FINAL_TYPE (TillReceiptsDialog, till_receipts_dialog, GTK_TYPE_WINDOW)

static void
set_message (TillReceiptsDialog *self, const char *message, gboolean is_error)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  self->message_is_error = is_error;
  if (is_error)
    {
      gtk_widget_add_css_class (self->message_label, "error");
      gtk_widget_error_bell (GTK_WIDGET (self));
    }
  else
    gtk_widget_remove_css_class (self->message_label, "error");
}

static void
update_actions (TillReceiptsDialog *self)
{
  gboolean has_sale = self->sale != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "receipts.reprint", has_sale);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "receipts.return", has_sale);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "receipts.add-note", has_sale);
  gtk_widget_set_sensitive (self->note_entry, has_sale);
}

/* Today's business day as the core files sales under it. */
static char *
local_day (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static GtkWidget *
cell_new (const char *text, int width_chars, float xalign, gboolean expand)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, expand);
  return label;
}

static GtkWidget *
sale_row_new (TillSale *sale)
{
  g_autoptr (GDateTime) created = till_sale_get_created (sale);
  g_autofree char *time = g_date_time_format (created, "%H:%M");
  g_autofree char *number = till_sale_format_receipt_no (sale);
  g_autofree char *total = till_ui_format_money (till_sale_get_total (sale));
  g_autofree char *items =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " item", "%" PRId64 " items",
                                    (gulong) till_sale_get_item_count (sale)),
                       till_sale_get_item_count (sale));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *total_label = cell_new (total, 9, 1, FALSE);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), cell_new (number, 12, 0, FALSE));
  gtk_box_append (GTK_BOX (box), cell_new (time, 5, 0, FALSE));
  gtk_box_append (GTK_BOX (box), cell_new (items, 5, 0, FALSE));
  gtk_box_append (GTK_BOX (box), cell_new (till_sale_get_cashier_name (sale), 4, 0, TRUE));
  gtk_widget_add_css_class (total_label, "numeric");
  gtk_box_append (GTK_BOX (box), total_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_size_request (row, -1, 56);
  g_object_set_data_full (G_OBJECT (row), "sale-uuid", g_strdup (till_sale_get_uuid (sale)),
                          g_free);
  return row;
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_widget_unparent (child);
}

static void
show_notes (TillReceiptsDialog *self)
{
  g_autoptr (GPtrArray) notes = NULL;
  g_autoptr (GError) error = NULL;

  clear_box (self->notes_box);
  self->n_notes = 0;
  if (self->sale == NULL)
    return;
  notes = till_sale_note_list (till_session_get_store (self->session),
                               till_sale_get_uuid (self->sale), &error);
  if (notes == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  self->n_notes = notes->len;
  if (notes->len == 0)
    {
      GtkWidget *none = gtk_label_new (_ ("No notes on this sale."));

      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (GTK_BOX (self->notes_box), none);
      return;
    }
  for (guint i = 0; i < notes->len; i++)
    {
      TillSaleNote *note = g_ptr_array_index (notes, i);
      g_autoptr (GDateTime) when =
          g_date_time_new_from_unix_local (note->created_us / G_USEC_PER_SEC);
      g_autofree char *stamp = g_date_time_format (when, "%m-%d %H:%M");
      g_autofree char *text =
          g_strdup_printf ("%s  [%s]  %s：%s", stamp, till_sale_note_kind_get_label (note->kind),
                           note->user_name, note->text);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (self->notes_box), label);
    }
}

static void
show_sale (TillReceiptsDialog *self)
{
  clear_box (self->lines_box);
  if (self->sale == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->sale_title), _ ("Pick a receipt on the left."));
      gtk_label_set_text (GTK_LABEL (self->totals_label), "");
      show_notes (self);
      update_actions (self);
      return;
    }
  {
    g_autoptr (GDateTime) created = till_sale_get_created (self->sale);
    g_autofree char *time = g_date_time_format (created, "%Y-%m-%d %H:%M");
    g_autofree char *number = till_sale_format_receipt_no (self->sale);
    g_autofree char *title = g_strdup_printf (_ ("Receipt %s  ·  %s  ·  cashier %s"), number, time,
                                              till_sale_get_cashier_name (self->sale));
    g_autofree char *subtotal = till_ui_format_money (till_sale_get_subtotal (self->sale));
    g_autofree char *total = till_ui_format_money (till_sale_get_total (self->sale));
    g_autofree char *totals = g_strdup_printf (_ ("Subtotal %s    Total %s"), subtotal, total);

    gtk_label_set_text (GTK_LABEL (self->sale_title), title);
    gtk_label_set_text (GTK_LABEL (self->totals_label), totals);
  }
  for (guint i = 0; i < till_sale_get_n_lines (self->sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (self->sale, i);
      g_autofree char    *quantity = till_ui_format_quantity (line->quantity, line->weighed);
      g_autofree char    *amount = till_ui_format_money (line->amount);
      g_autofree char    *number = g_strdup_printf ("%d", line->line_no);
      GtkWidget          *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      GtkWidget          *amount_label = cell_new (amount, 9, 1, FALSE);

      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 4);
      gtk_box_append (GTK_BOX (box), cell_new (number, 2, 1, FALSE));
      gtk_box_append (GTK_BOX (box), cell_new (line->name, 10, 0, TRUE));
      gtk_box_append (GTK_BOX (box), cell_new (quantity, 7, 1, FALSE));
      gtk_widget_add_css_class (amount_label, "numeric");
      gtk_box_append (GTK_BOX (box), amount_label);
      gtk_box_append (GTK_BOX (self->lines_box), box);
    }
  show_notes (self);
  update_actions (self);
}

static void
pick_sale (TillReceiptsDialog *self, TillSale *sale)
{
  GtkListBoxRow *row;

  g_set_object (&self->sale, sale);
  for (int i = 0;
       (row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->sales_list), i)) != NULL; i++)
    if (sale != NULL &&
        g_strcmp0 (g_object_get_data (G_OBJECT (row), "sale-uuid"), till_sale_get_uuid (sale)) == 0)
      {
        gtk_list_box_select_row (GTK_LIST_BOX (self->sales_list), row);
        break;
      }
  show_sale (self);
}

static void
fill_list (TillReceiptsDialog *self, GPtrArray *sales)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->sales_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->sales_list), child);
  g_clear_pointer (&self->sales, g_ptr_array_unref);
  self->sales = g_ptr_array_ref (sales);
  for (guint i = 0; i < sales->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->sales_list), sale_row_new (sales->pdata[i]));
  if (sales->len == 0)
    {
      GtkWidget *none = gtk_label_new (_ ("No sales today yet."));

      gtk_widget_add_css_class (none, "dim-label");
      gtk_widget_set_size_request (none, -1, 56);
      gtk_list_box_set_placeholder (GTK_LIST_BOX (self->sales_list), none);
    }
  pick_sale (self, sales->len > 0 ? sales->pdata[0] : NULL);
}

/* Actions */

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  g_autofree char    *text = g_strstrip (g_variant_dup_string (parameter, NULL));
  TillStore          *store = till_session_get_store (self->session);
  g_autoptr (GPtrArray) sales = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;

  set_message (self, NULL, FALSE);
  if (*text == '\0')
    {
      g_autofree char *today = local_day ();

      /* The newest of the day (as many as the core lists): older ones are
       * found by their number. */
      sales = till_return_search_sales (store, today, -1, &error);
      if (sales == NULL)
        {
          set_message (self, error->message, TRUE);
          return;
        }
      fill_list (self, sales);
      return;
    }
  /* The core's lookup, as the returns screen's: it says what a number looks
   * like, and that another till's receipt is not this till's. */
  sale = till_return_find_sale_by_number (store, text, &error);
  sales = g_ptr_array_new_with_free_func (g_object_unref);
  if (sale == NULL)
    {
      fill_list (self, sales);
      set_message (self, error->message, TRUE);
      return;
    }
  g_ptr_array_add (sales, g_object_ref (sale));
  fill_list (self, sales);
}

static void
select_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  const char         *uuid = g_variant_get_string (parameter, NULL);

  set_message (self, NULL, FALSE);
  for (guint i = 0; self->sales != NULL && i < self->sales->len; i++)
    if (g_str_equal (till_sale_get_uuid (self->sales->pdata[i]), uuid))
      {
        pick_sale (self, self->sales->pdata[i]);
        return;
      }
  set_message (self, _ ("That sale is not in the list."), TRUE);
}

/* The REPRINT check (with the approval, once given), then the copy. */
static gboolean
reprint (TillReceiptsDialog *self, const TillOverride *override, GError **error)
{
  TillStore       *store = till_session_get_store (self->session);
  g_autofree char *number = till_sale_format_receipt_no (self->sale);
  g_autofree char *message = NULL;

  if (self->monitor == NULL || till_printer_monitor_get_printer_uri (self->monitor) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }
  if (!till_permission_approve (store, till_session_get_journal (self->session),
                                till_session_get_user (self->session), TILL_PERMISSION_REPRINT, 0,
                                override, error) ||
      !till_printer_monitor_queue_copy (self->monitor, self->sale, NULL, error))
    return FALSE;
  message = g_strdup_printf (_ ("Reprinting receipt %s as a copy."), number);
  set_message (self, message, FALSE);
  return TRUE;
}

static void
override_destroyed_cb (TillReceiptsDialog *self)
{
  self->override_dialog = NULL;
}

static void
override_approved_cb (TillReceiptsDialog *self, TillOverrideDialog *dialog)
{
  TillOverride override;
  g_autoptr (GError) error = NULL;

  if (self->sale == NULL || !till_override_dialog_get_override (dialog, &override))
    return;
  if (!reprint (self, &override, &error))
    {
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          return;
        }
      set_message (self, error->message, TRUE);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
reprint_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  g_autoptr (GError) error = NULL;

  if (self->sale == NULL || reprint (self, NULL, &error))
    return;
  if (!till_permission_error_needs_override (error))
    {
      set_message (self, error->message, TRUE);
      return;
    }
  set_message (self, error->message, TRUE);
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  self->override_dialog = till_override_dialog_new (
      GTK_WINDOW (self), till_permission_get_label (TILL_PERMISSION_REPRINT), error->message,
      TILL_REASON_OTHER);
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
}

/* The returns screen takes it from here, with the receipt as if scanned. */
static void
return_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  GtkWindow          *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char    *number = NULL;

  if (self->sale == NULL)
    return;
  if (parent == NULL || !G_IS_ACTION_GROUP (parent) ||
      !g_action_group_has_action (G_ACTION_GROUP (parent), "return-receipt"))
    {
      set_message (self, _ ("Returns cannot be opened from here."), TRUE);
      return;
    }
  number = till_sale_format_receipt_no (self->sale);
  g_action_group_activate_action (G_ACTION_GROUP (parent), "return-receipt",
                                  g_variant_new_string (number));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_note_kind_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  const char         *kind = g_variant_get_string (parameter, NULL);

  self->note_kind = g_str_equal (kind, till_sale_note_kind_to_string (TILL_SALE_NOTE_COMPLAINT))
                        ? TILL_SALE_NOTE_COMPLAINT
                        : TILL_SALE_NOTE_AFTER_SALES;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->complaint_button),
                                self->note_kind == TILL_SALE_NOTE_COMPLAINT);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->after_sales_button),
                                self->note_kind == TILL_SALE_NOTE_AFTER_SALES);
}

static void
add_note_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (widget);
  g_autoptr (GError) error = NULL;

  if (self->sale == NULL)
    return;
  if (till_sale_note_add (till_session_get_store (self->session),
                          till_session_get_journal (self->session),
                          till_session_get_user (self->session), till_sale_get_uuid (self->sale),
                          self->note_kind, g_variant_get_string (parameter, NULL), &error) == 0)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  show_notes (self);
  set_message (self, _ ("Note saved with the sale."), FALSE);
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

/* Callbacks */

static void
search_activate_cb (TillReceiptsDialog *self, GtkSearchEntry *entry)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "receipts.search", "s",
                              gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* Cleared: back to the whole day. A number is looked up on Enter, so that a
 * half-typed one does not flash "not found". */
static void
search_changed_cb (TillReceiptsDialog *self, GtkSearchEntry *entry)
{
  if (gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0')
    gtk_widget_activate_action (GTK_WIDGET (self), "receipts.search", "s", "");
}

static void
sale_row_activated_cb (TillReceiptsDialog *self, GtkListBoxRow *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "receipts.select", "s",
                              g_object_get_data (G_OBJECT (row), "sale-uuid"));
}

static void
add_note_clicked_cb (TillReceiptsDialog *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_entry)));

  gtk_widget_activate_action (GTK_WIDGET (self), "receipts.add-note", "s", text);
}

static void
till_receipts_dialog_dispose (GObject *object)
{
  TillReceiptsDialog *self = TILL_RECEIPTS_DIALOG (object);

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  g_clear_pointer (&self->sales, g_ptr_array_unref);
  g_clear_object (&self->sale);
  g_clear_object (&self->monitor);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_RECEIPTS_DIALOG);
  G_OBJECT_CLASS (till_receipts_dialog_parent_class)->dispose (object);
}

static void
till_receipts_dialog_class_init (TillReceiptsDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_receipts_dialog_dispose;

  gtk_widget_class_install_action (widget_class, "receipts.search", "s", search_action);
  gtk_widget_class_install_action (widget_class, "receipts.select", "s", select_action);
  gtk_widget_class_install_action (widget_class, "receipts.reprint", NULL, reprint_action);
  gtk_widget_class_install_action (widget_class, "receipts.return", NULL, return_action);
  gtk_widget_class_install_action (widget_class, "receipts.set-note-kind", "s",
                                   set_note_kind_action);
  gtk_widget_class_install_action (widget_class, "receipts.add-note", "s", add_note_action);
  gtk_widget_class_install_action (widget_class, "receipts.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "receipts.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-receipts-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, sales_list);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, sale_title);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, lines_box);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, totals_label);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, notes_box);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, complaint_button);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, after_sales_button);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, note_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReceiptsDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sale_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_note_clicked_cb);
}

static void
till_receipts_dialog_init (TillReceiptsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The till's look (fonts, touch sizes) as on its main window. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "till");
  self->note_kind = TILL_SALE_NOTE_AFTER_SALES;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->after_sales_button), TRUE);
}

/**
 * till_receipts_dialog_new:
 *
 * Returns: (transfer none): the dialog, presented over @parent with today's
 *   sales; it owns itself until it is closed.
 */
TillReceiptsDialog *
till_receipts_dialog_new (GtkWindow *parent, TillSession *session, TillPrinterMonitor *monitor)
{
  TillReceiptsDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TILL_IS_SESSION (session), NULL);
  g_return_val_if_fail (monitor == NULL || TILL_IS_PRINTER_MONITOR (monitor), NULL);

  self = g_object_new (TILL_TYPE_RECEIPTS_DIALOG, NULL);
  self->session = g_object_ref (session);
  self->monitor = monitor != NULL ? g_object_ref (monitor) : NULL;
  if (parent != NULL)
    {
      /* Not added to the application, like the override dialog: the till's
       * window stays the active one for its actions. */
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "receipts.search", "s", "");
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

guint
till_receipts_dialog_get_n_sales (TillReceiptsDialog *self)
{
  g_return_val_if_fail (TILL_IS_RECEIPTS_DIALOG (self), 0);
  return self->sales != NULL ? self->sales->len : 0;
}

TillSale *
till_receipts_dialog_get_sale (TillReceiptsDialog *self)
{
  g_return_val_if_fail (TILL_IS_RECEIPTS_DIALOG (self), NULL);
  return self->sale;
}

guint
till_receipts_dialog_get_n_notes (TillReceiptsDialog *self)
{
  g_return_val_if_fail (TILL_IS_RECEIPTS_DIALOG (self), 0);
  return self->n_notes;
}

const char *
till_receipts_dialog_get_message (TillReceiptsDialog *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_RECEIPTS_DIALOG (self), NULL);
  if (out_is_error != NULL)
    *out_is_error = self->message_is_error;
  return gtk_label_get_text (GTK_LABEL (self->message_label));
}

TillOverrideDialog *
till_receipts_dialog_get_override_dialog (TillReceiptsDialog *self)
{
  g_return_val_if_fail (TILL_IS_RECEIPTS_DIALOG (self), NULL);
  return self->override_dialog;
}
