/* till-payment-view.c: taking the money: every tender the store takes, mixed
 * payment, QR wallet codes, change, next customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-payment-view.h"
#include "till-ui-util.h"
#include "widgets/till-keypad.h"

/* The notes a customer hands over most: ￥10, ￥20, ￥50, ￥100 (in fen). */
static const gint64 quick_notes[] = { 1000, 2000, 5000, 10000 };

/* Cash, bank card, stored value and vouchers answer from SQLite at once; a
 * driver that has not answered by then is broken, and the screen says so
 * rather than hang. */

struct _TillPaymentView
{
  GtkWidget parent_instance;

  GtkWidget  *stack;
  GtkWidget  *exact_label;
  GtkWidget  *paid_label;
  GtkWidget  *due_label;
  GtkWidget  *due_items_label;
  GtkWidget  *cash_due_label;
  GtkWidget  *tender_buttons_box;
  GtkWidget  *tenders_scroller;
  GtkWidget  *tenders_list;
  GtkWidget  *notes_box;
  GtkWidget  *message_label;
  GtkWidget  *back_button;
  GtkWidget  *panel_stack;
  GtkWidget  *wallet_prompt_label;
  GtkWidget  *code_entry;
  GtkWidget  *defer_button;
  GtkWidget  *waiting_spinner;
  GtkWidget  *waiting_label;
  GtkWidget  *progress_label;
  GtkWidget  *cancel_wallet_button;
  GtkWidget  *card_amount_label;
  GtkWidget  *card_reference_entry;
  GtkWidget  *card_tail_entry;
  GtkWidget  *stored_value_entry;
  GtkWidget  *stored_value_label;
  GtkWidget  *points_label;
  GtkWidget  *voucher_entry;
  GtkWidget  *amount_title_label;
  TillKeypad *keypad;
  GtkWidget  *change_caption_label;
  GtkWidget  *change_label;
  GtkWidget  *summary_label;
  GtkWidget  *receipt_label;
  GtkWidget  *print_label;
  GtkWidget  *note_buttons[G_N_ELEMENTS (quick_notes)];
  GPtrArray  *tender_buttons; /* GtkButton, one per enabled tender */

  TillSession  *session;
  GSignalGroup *payment_signals; /* the session's current TillPayment */
  TillSale     *sale;
  char         *tender_id; /* the chosen tender's panel: "cash", "wechat", "card", … */

  /* A QR wallet payment (or a reversal) in flight: the screen waits. */
  GCancellable *wallet_cancellable;
  gboolean      busy;
  gboolean      cancelling;
  /* The last wallet code refused because the till was offline, for
   * "confirm later". */
  char              *offline_code;
  TillWalletProvider offline_provider;
  gint64             offline_amount;
};

G_DEFINE_FINAL_TYPE (TillPaymentView, till_payment_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_SALE_COMPLETED,
  SIGNAL_CANCELLED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_view (TillPaymentView *self);
static void try_complete (TillPaymentView *self);

static TillCart *
get_cart (TillPaymentView *self)
{
  return self->session != NULL ? till_session_get_cart (self->session) : NULL;
}

static TillPayment *
get_payment (TillPaymentView *self)
{
  return self->session != NULL ? till_session_get_payment (self->session) : NULL;
}

static TillTenderRegistry *
get_tenders (TillPaymentView *self)
{
  return self->session != NULL ? till_session_get_tenders (self->session) : NULL;
}

static gboolean
is_wallet_id (const char *tender_id)
{
  TillWalletProvider provider;

  return tender_id != NULL && till_wallet_provider_from_string (tender_id, &provider) &&
         provider != TILL_WALLET_NONE;
}

static void
update_actions (TillPaymentView *self)
{
  TillCart *cart = get_cart (self);
  gboolean  tendering =
      cart != NULL && self->sale == NULL && !self->busy && get_payment (self) != NULL &&
      till_session_get_user (self->session) != NULL && till_cart_get_n_lines (cart) > 0;
  GtkWidget *widget = GTK_WIDGET (self);

  till_ui_action_set_enabled (widget, "pay.cash", tendering);
  till_ui_action_set_enabled (widget, "pay.exact", tendering);
  till_ui_action_set_enabled (widget, "pay.tender", tendering);
  till_ui_action_set_enabled (widget, "pay.card", tendering);
  till_ui_action_set_enabled (widget, "pay.find-card", tendering);
  till_ui_action_set_enabled (widget, "pay.stored-value", tendering);
  till_ui_action_set_enabled (widget, "pay.voucher", tendering);
  till_ui_action_set_enabled (widget, "pay.points",
                              tendering && till_cart_get_member (cart) != NULL);
  till_ui_action_set_enabled (widget, "pay.code", tendering);
  till_ui_action_set_enabled (widget, "pay.remove", tendering);
  till_ui_action_set_enabled (widget, "pay.void-card", tendering);
  till_ui_action_set_enabled (widget, "pay.defer", tendering && self->offline_code != NULL);
  till_ui_action_set_enabled (widget, "pay.cancel-wallet",
                              self->busy && self->wallet_cancellable != NULL && !self->cancelling);
  till_ui_action_set_enabled (widget, "pay.cancel", self->sale == NULL && !self->busy);
  till_ui_action_set_enabled (widget, "sale.new", self->sale != NULL);

  /* While a wallet payment waits for the customer nothing else may change. */
  gtk_widget_set_sensitive (self->tender_buttons_box, !self->busy);
  gtk_widget_set_sensitive (self->tenders_list, !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), !self->busy);
  gtk_widget_set_sensitive (self->amount_title_label, !self->busy);
}

static void
set_message_full (TillPaymentView *self, const char *message, gboolean is_error)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
  if (is_error)
    {
      gtk_widget_add_css_class (self->message_label, "error-message");
      gtk_widget_remove_css_class (self->message_label, "payment-note");
    }
  else
    {
      gtk_widget_remove_css_class (self->message_label, "error-message");
      gtk_widget_add_css_class (self->message_label, "payment-note");
    }
}

static void
set_message (TillPaymentView *self, const char *message)
{
  set_message_full (self, message, FALSE);
}

static void
show_error (TillPaymentView *self, const char *message)
{
  set_message_full (self, message, TRUE);
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static char *
dup_tender_label (TillPaymentView *self, const char *tender_id)
{
  TillTenderRegistry *tenders = get_tenders (self);
  TillTender *tender = tenders != NULL ? till_tender_registry_lookup (tenders, tender_id) : NULL;

  if (tender != NULL)
    return till_tender_dup_label (tender);
  if (g_strcmp0 (tender_id, "exchange") == 0)
    return g_strdup (_ ("Exchange credit"));
  return g_strdup (tender_id);
}

/* What the keypad holds, or (when it is empty) @fallback: the keypad shows
 * the remaining amount as its placeholder, so Enter alone takes it all. */
static gboolean
keypad_amount (TillPaymentView *self, gint64 fallback, gint64 *out_amount)
{
  const char *text = till_keypad_get_text (self->keypad);
  g_autoptr (GError) error = NULL;

  if (*text == '\0')
    {
      *out_amount = fallback;
      return TRUE;
    }
  if (!till_money_parse (text, out_amount, &error) || *out_amount <= 0)
    {
      g_autofree char *message = g_strdup_printf (_ ("“%s” is not an amount of money."), text);
      show_error (self, message);
      return FALSE;
    }
  return TRUE;
}

/* The index of the applied tender of the QR wallet attempt @attempt, or -1. */
static int
find_attempt (TillPayment *payment, const char *attempt)
{
  for (guint i = 0; attempt != NULL && i < till_payment_get_n_tenders (payment); i++)
    if (g_strcmp0 (till_payment_get_tender (payment, i)->attempt, attempt) == 0)
      return (int) i;
  return -1;
}

/* The message after a tender that did not finish the payment. */
static void
say_what_is_left (TillPaymentView *self, const TillSalePayment *tender_payment)
{
  g_autofree char *label = dup_tender_label (self, tender_payment->method);
  g_autofree char *amount = till_ui_format_money (tender_payment->amount);
  g_autofree char *left = till_ui_format_money (till_payment_get_remaining (get_payment (self)));
  g_autofree char *message =
      g_strdup_printf (_ ("%s %s taken. %s still to pay."), label, amount, left);

  set_message (self, message);
}

static void
apply_and_continue (TillPaymentView *self, const TillSalePayment *tender_payment)
{
  g_autoptr (GError) error = NULL;

  /* A QR wallet's payment is usually applied already (its attempt wrote the
   * cart_tender row when it became paid): till_payment_add knows. */
  if (!till_payment_add (get_payment (self), tender_payment, &error))
    {
      if (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED))
        g_warning ("%s", error->message);
      show_error (self, error->message);
      update_view (self);
      return;
    }
  till_keypad_clear (self->keypad);
  update_view (self);
  if (till_payment_is_complete (get_payment (self)))
    try_complete (self);
  else
    say_what_is_left (self, tender_payment);
}

static gboolean
take_local (TillPaymentView *self, const char *tender_id, TillTenderRequest *request)
{
  TillTenderRegistry *tenders = get_tenders (self);
  TillTender         *tender;
  g_autoptr (TillSalePayment) tender_payment = NULL;
  g_autoptr (GError) error = NULL;

  if (!till_tender_registry_is_enabled (tenders, tender_id) ||
      (tender = till_tender_registry_lookup (tenders, tender_id)) == NULL)
    {
      g_autofree char *label = dup_tender_label (self, tender_id);
      g_autofree char *message = g_strdup_printf (_ ("The store does not take %s."), label);

      show_error (self, message);
      return FALSE;
    }
  request->cart_uuid = till_cart_get_sale_uuid (get_cart (self));
  tender_payment = till_tender_authorize (tender, request, &error);
  if (tender_payment == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }
  apply_and_continue (self, tender_payment);
  return TRUE;
}

/* ---- Completing the sale ------------------------------------------------- */

static void
show_done (TillPaymentView *self)
{
  g_autofree char *change = till_ui_format_money (till_sale_get_change (self->sale));
  g_autofree char *total = till_ui_format_money (till_sale_get_total (self->sale));
  g_autofree char *receipt_no = till_sale_format_receipt_no (self->sale);
  g_autofree char *receipt = g_strdup_printf (_ ("Receipt %s"), receipt_no);
  g_autoptr (GString) summary = g_string_new (NULL);
  gboolean has_cash = FALSE;

  g_string_append_printf (summary, _ ("Total %s"), total);
  for (guint i = 0; i < till_sale_get_n_payments (self->sale); i++)
    {
      const TillSalePayment *tender = till_sale_get_payment (self->sale, i);
      g_autofree char       *label = dup_tender_label (self, tender->method);
      g_autofree char       *amount = till_ui_format_money (
                tender->kind == TILL_TENDER_KIND_CASH ? tender->tendered : tender->amount);

      has_cash |= tender->kind == TILL_TENDER_KIND_CASH;
      g_string_append_printf (summary, " · %s %s", label, amount);
    }
  gtk_label_set_text (GTK_LABEL (self->change_caption_label),
                      has_cash ? _ ("Change") : _ ("Paid in full · change"));
  gtk_label_set_text (GTK_LABEL (self->change_label), change);
  gtk_label_set_text (GTK_LABEL (self->summary_label), summary->str);
  gtk_label_set_text (GTK_LABEL (self->receipt_label), receipt);
  till_payment_view_set_print_status (self, _ ("Printing the receipt…"), FALSE);
  set_message (self, NULL);
  till_keypad_clear (self->keypad);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "done");
}

static void
try_complete (TillPaymentView *self)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;

  sale = till_sale_commit (get_cart (self), get_payment (self),
                           till_session_get_journal (self->session),
                           till_session_get_user (self->session), &error);
  if (sale == NULL)
    {
      /* Nothing was recorded; the tenders stay applied (and durable), so the
       * cashier retries with Exact. Disk trouble also goes to the log. */
      if (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE))
        g_warning ("%s", error->message);
      show_error (self, error->message);
      update_actions (self);
      return;
    }
  self->sale = g_steal_pointer (&sale);
  /* The sale is durable: HQ hears of it now, off the main thread. */
  till_session_kick_sync (self->session);
  show_done (self);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_SALE_COMPLETED], 0, self->sale);
}

/* ---- The screen ---------------------------------------------------------- */

static void
remove_button_clicked_cb (GtkButton *button, TillPaymentView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "tender-index"));

  gtk_widget_activate_action (GTK_WIDGET (self), "pay.remove", "u", index);
}

static GtkWidget *
tender_row_new (TillPaymentView *self, const TillSalePayment *tender, guint index)
{
  GtkWidget       *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget       *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget       *name;
  GtkWidget       *detail;
  GtkWidget       *amount;
  GtkWidget       *remove;
  g_autofree char *label = dup_tender_label (self, tender->method);
  g_autofree char *amount_text = till_ui_format_money (tender->amount);
  g_autofree char *detail_text = NULL;

  if (tender->kind == TILL_TENDER_KIND_CASH && tender->tendered > tender->amount)
    {
      g_autofree char *given = till_ui_format_money (tender->tendered);
      g_autofree char *change = till_ui_format_money (tender->tendered - tender->amount);

      detail_text = g_strdup_printf (_ ("Received %s · change %s"), given, change);
    }
  else if (tender->kind == TILL_TENDER_KIND_VOUCHER && tender->tendered > tender->amount)
    {
      g_autofree char *face = till_ui_format_money (tender->tendered);

      detail_text = g_strdup_printf (_ ("%s · face value %s"), tender->reference, face);
    }
  else if (tender->kind == TILL_TENDER_KIND_POINTS)
    /* The reference is the member's id: for HQ, not for the screen. */
    detail_text = g_strdup_printf (_ ("%" PRId64 " points"), tender->tendered);
  else if (tender->account != NULL && tender->reference != NULL &&
           tender->kind != TILL_TENDER_KIND_STORED_VALUE)
    detail_text = g_strdup_printf ("%s · %s", tender->account, tender->reference);
  else if (tender->account != NULL)
    detail_text = g_strdup (tender->account);
  else if (tender->kind == TILL_TENDER_KIND_WALLET && tender->attempt != NULL)
    detail_text = g_strdup (tender->attempt);
  else if (tender->reference != NULL)
    detail_text = g_strdup (tender->reference);

  gtk_widget_add_css_class (row, "tender-row");
  name = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "tender-name");
  gtk_box_append (GTK_BOX (texts), name);
  if (detail_text != NULL)
    {
      detail = gtk_label_new (detail_text);
      gtk_label_set_xalign (GTK_LABEL (detail), 0);
      gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_add_css_class (detail, "tender-detail");
      gtk_box_append (GTK_BOX (texts), detail);
    }
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), texts);

  amount = gtk_label_new (amount_text);
  gtk_widget_add_css_class (amount, "tender-amount");
  gtk_widget_add_css_class (amount, "numeric");
  gtk_box_append (GTK_BOX (row), amount);

  remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  gtk_widget_set_tooltip_text (remove, _ ("Take this tender off"));
  gtk_widget_add_css_class (remove, "tender-remove");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (remove), "tender-index", GUINT_TO_POINTER (index));
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_button_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), remove);
  return row;
}

static void
update_tender_list (TillPaymentView *self)
{
  TillPayment *payment = get_payment (self);
  GtkWidget   *child;
  guint        n_tenders = payment != NULL ? till_payment_get_n_tenders (payment) : 0;

  while ((child = gtk_widget_get_first_child (self->tenders_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->tenders_list), child);
  for (guint i = 0; i < n_tenders; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->tenders_list),
                         tender_row_new (self, till_payment_get_tender (payment, i), i));
  gtk_widget_set_visible (self->tenders_scroller, n_tenders > 0);
}

/* What the chosen tender's panel and the keypad say about the amount. */
static void
update_amount_hints (TillPaymentView *self)
{
  TillPayment     *payment = get_payment (self);
  gboolean         cash = g_strcmp0 (self->tender_id, "cash") == 0;
  gint64           due;
  gint64           amount = 0;
  g_autofree char *due_text = NULL;
  g_autofree char *amount_text = NULL;
  const char      *enter_label;

  if (payment == NULL)
    return;
  due = cash ? till_payment_get_cash_due (payment) : till_payment_get_remaining (payment);
  due_text = till_ui_format_money (due);
  /* The placeholder is what Enter takes when nothing is typed. */
  g_object_set (self->keypad, "placeholder", due_text + strlen ("￥"), NULL);

  if (cash)
    enter_label = _ ("Pay cash");
  else if (g_strcmp0 (self->tender_id, "card") == 0)
    enter_label = _ ("Done");
  else if (is_wallet_id (self->tender_id))
    enter_label = _ ("Charge");
  else
    enter_label = _ ("Apply");
  g_object_set (self->keypad, "enter-label", enter_label, NULL);

  if (*till_keypad_get_text (self->keypad) == '\0' ||
      !till_money_parse (till_keypad_get_text (self->keypad), &amount, NULL))
    amount = due;
  amount_text = till_ui_format_money (MIN (amount, till_payment_get_remaining (payment)));
  gtk_label_set_text (GTK_LABEL (self->card_amount_label), amount_text);
}

static void
update_summary (TillPaymentView *self)
{
  TillCart        *cart = get_cart (self);
  TillPayment     *payment = get_payment (self);
  gint64           n_items;
  gint64           remaining;
  gint64           cash_due;
  g_autofree char *exact = NULL;
  g_autofree char *paid = NULL;
  g_autofree char *due = NULL;
  g_autofree char *count = NULL;
  g_autofree char *items = NULL;

  if (cart == NULL || payment == NULL || self->sale != NULL)
    return;
  remaining = till_payment_get_remaining (payment);
  cash_due = till_payment_get_cash_due (payment);
  exact = till_ui_format_money (till_payment_get_exact (payment));
  paid = till_ui_format_money (till_payment_get_paid (payment));
  due = till_ui_format_money (remaining);
  gtk_label_set_text (GTK_LABEL (self->exact_label), exact);
  gtk_label_set_text (GTK_LABEL (self->paid_label), paid);
  gtk_label_set_text (GTK_LABEL (self->due_label), due);
  /* 抹零 applies to cash only: say what cash must cover when it differs. */
  if (cash_due != remaining)
    {
      g_autofree char *cash = till_ui_format_money (cash_due);
      g_autofree char *text = g_strdup_printf (_ ("In cash: %s"), cash);

      gtk_label_set_text (GTK_LABEL (self->cash_due_label), text);
    }
  gtk_widget_set_visible (self->cash_due_label, cash_due != remaining);

  n_items = till_cart_get_item_count (cart);
  count = g_strdup_printf ("%" G_GINT64_FORMAT, n_items);
  items = g_strdup_printf (ngettext ("%s item", "%s items", (gulong) MAX (n_items, 0)), count);
  gtk_label_set_text (GTK_LABEL (self->due_items_label), items);

  /* A note smaller than the cash due is no use: offer only the ones that cover it. */
  for (guint i = 0; i < G_N_ELEMENTS (quick_notes); i++)
    gtk_widget_set_visible (gtk_widget_get_parent (self->note_buttons[i]),
                            quick_notes[i] >= cash_due);
}

static void
update_tender_buttons (TillPaymentView *self)
{
  for (guint i = 0; i < self->tender_buttons->len; i++)
    {
      GtkWidget  *button = self->tender_buttons->pdata[i];
      const char *id = g_object_get_data (G_OBJECT (button), "tender-id");

      if (g_strcmp0 (id, self->tender_id) == 0)
        gtk_widget_add_css_class (button, "tender-chosen");
      else
        gtk_widget_remove_css_class (button, "tender-chosen");
    }
}

static void
add_tender_button (TillPaymentView *self, TillTender *tender)
{
  g_autofree char *label = till_tender_dup_label (tender);
  GtkWidget       *button = gtk_button_new_with_label (label);
  g_autofree char *kind_class =
      g_strdup_printf ("tender-%s", till_tender_kind_to_string (till_tender_get_kind (tender)));

  gtk_widget_add_css_class (button, "tender-button");
  gtk_widget_add_css_class (button, kind_class);
  g_object_set_data_full (G_OBJECT (button), "tender-id", g_strdup (till_tender_get_id (tender)),
                          g_free);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "pay.tender");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_string (till_tender_get_id (tender)));
  gtk_flow_box_append (GTK_FLOW_BOX (self->tender_buttons_box), button);
  g_ptr_array_add (self->tender_buttons, button);
}

/* The tender buttons, from the store's list of enabled tenders in its order. */
static void
rebuild_tender_buttons (TillPaymentView *self)
{
  g_autoptr (GPtrArray) enabled = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->tender_buttons_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->tender_buttons_box), child);
  g_ptr_array_set_size (self->tender_buttons, 0);
  if (get_tenders (self) == NULL)
    return;

  enabled = till_tender_registry_list_enabled (get_tenders (self));
  for (guint i = 0; i < enabled->len; i++)
    {
      TillTender *tender = enabled->pdata[i];

      /* Points are the member's: without one on the sale there are none. */
      if (till_tender_get_kind (tender) == TILL_TENDER_KIND_POINTS &&
          (get_cart (self) == NULL || till_cart_get_member (get_cart (self)) == NULL))
        continue;
      add_tender_button (self, tender);
    }
  update_tender_buttons (self);
}

static void
update_view (TillPaymentView *self)
{
  update_summary (self);
  update_tender_list (self);
  update_amount_hints (self);
  update_actions (self);
}

static void
show_panel (TillPaymentView *self, const char *tender_id)
{
  const char *panel = tender_id;

  if (g_strcmp0 (self->tender_id, tender_id) != 0)
    {
      g_free (self->tender_id);
      self->tender_id = g_strdup (tender_id);
    }
  if (is_wallet_id (tender_id))
    panel = "wallet";
  if (gtk_stack_get_child_by_name (GTK_STACK (self->panel_stack), panel) == NULL)
    panel = "cash";
  if (!self->busy)
    gtk_stack_set_visible_child_name (GTK_STACK (self->panel_stack), panel);
  update_tender_buttons (self);
  update_amount_hints (self);
}

static void
set_busy (TillPaymentView *self, gboolean busy, const char *waiting_text)
{
  self->busy = busy;
  self->cancelling = FALSE;
  if (busy)
    {
      gtk_label_set_text (GTK_LABEL (self->waiting_label), waiting_text);
      gtk_label_set_text (GTK_LABEL (self->progress_label), "");
      gtk_widget_set_visible (self->cancel_wallet_button, self->wallet_cancellable != NULL);
      gtk_spinner_start (GTK_SPINNER (self->waiting_spinner));
      gtk_stack_set_visible_child_name (GTK_STACK (self->panel_stack), "waiting");
    }
  else
    {
      gtk_spinner_stop (GTK_SPINNER (self->waiting_spinner));
      show_panel (self, self->tender_id);
    }
  update_actions (self);
}

/* ---- QR wallets ---------------------------------------------------------- */

static void
clear_offline (TillPaymentView *self)
{
  g_clear_pointer (&self->offline_code, g_free);
  gtk_widget_set_visible (self->defer_button, FALSE);
}

static void
wallet_authorized_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TillPaymentView) self = user_data;
  TillTender *tender = TILL_TENDER (source);
  g_autoptr (TillSalePayment) tender_payment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = g_object_steal_data (G_OBJECT (self), "wallet-code");
  gint64           amount = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (self), "wallet-amount"));

  tender_payment = till_tender_authorize_finish (tender, result, &error);
  g_clear_object (&self->wallet_cancellable);
  if (self->session == NULL)
    return; /* the screen went away */
  set_busy (self, FALSE, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
  if (tender_payment != NULL)
    {
      clear_offline (self);
      apply_and_continue (self, tender_payment);
      return;
    }

  if (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OFFLINE))
    {
      TillWalletProvider provider = TILL_WALLET_NONE;
      g_autoptr (GError) cap_error = NULL;

      till_wallet_provider_from_string (till_tender_get_id (tender), &provider);
      /* The store may take the code now and charge it when the network is
       * back, under its caps: offer it only when allowed. */
      if (till_wallet_deferred_allowed (till_session_get_store (self->session), amount, &cap_error))
        {
          g_free (self->offline_code);
          self->offline_code = g_steal_pointer (&code);
          self->offline_provider = provider;
          self->offline_amount = amount;
          gtk_widget_set_visible (self->defer_button, TRUE);
        }
      else
        clear_offline (self);
    }
  else
    clear_offline (self);
  show_error (self, error->message);
  update_actions (self);
}

static void
take_wallet_code (TillPaymentView *self, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char  *label = NULL;
  g_autofree char  *amount_text = NULL;
  g_autofree char  *waiting = NULL;
  TillTender       *tender;
  TillPayment      *payment = get_payment (self);
  gint64            remaining = till_payment_get_remaining (payment);
  gint64            amount = 0;
  TillTenderRequest request = { 0 };

  tender = till_tender_registry_route_code (get_tenders (self), code, &error);
  if (tender == NULL)
    {
      if (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_NOT_A_CODE))
        show_error (self, _ ("This is not a payment code."));
      else
        show_error (self, error->message);
      gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
      return;
    }
  if (remaining <= 0)
    {
      show_error (self, _ ("Nothing is left to pay."));
      return;
    }
  if (!keypad_amount (self, remaining, &amount))
    return;
  if (amount > remaining)
    {
      g_autofree char *left = till_ui_format_money (remaining);
      g_autofree char *message =
          g_strdup_printf (_ ("Only %s is left to pay: a wallet cannot pay more."), left);

      show_error (self, message);
      return;
    }

  show_panel (self, till_tender_get_id (tender));
  clear_offline (self);
  set_message (self, NULL);
  label = till_tender_dup_label (tender);
  amount_text = till_ui_format_money (amount);
  waiting = g_strdup_printf (_ ("%s %s: waiting for the customer to confirm…"), label, amount_text);
  self->wallet_cancellable = g_cancellable_new ();
  set_busy (self, TRUE, waiting);

  request.cart_uuid = till_cart_get_sale_uuid (get_cart (self));
  request.due = remaining;
  request.amount = amount;
  request.input = code;
  g_object_set_data_full (G_OBJECT (self), "wallet-code", g_strstrip (g_strdup (code)), g_free);
  g_object_set_data (G_OBJECT (self), "wallet-amount", GSIZE_TO_POINTER ((gsize) amount));
  till_tender_authorize_async (tender, &request, self->wallet_cancellable, wallet_authorized_cb,
                               g_object_ref (self));
}

static void
wallet_progress_cb (TillPaymentView *self, TillWalletAttempt *attempt, const char *message)
{
  if (self->busy && !self->cancelling && message != NULL)
    gtk_label_set_text (GTK_LABEL (self->progress_label), message);
}

/* A wallet attempt carried on after a restart was settled: the payment page
 * shows what it left applied. */
static void
attempt_resolved_cb (TillPaymentView *self, TillWalletAttempt *attempt)
{
  g_autoptr (GError) error = NULL;

  if (!till_session_reload_payment (self->session, &error))
    g_warning ("%s", error->message);
  if (self->sale == NULL)
    update_view (self);
}

/* ---- Taking tenders off -------------------------------------------------- */

typedef struct
{
  TillPaymentView *self;
  char            *attempt;
} WalletRelease;

static void
wallet_released_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WalletRelease *release = user_data;
  g_autoptr (TillPaymentView) self = release->self;
  g_autofree char *attempt = release->attempt;
  g_autoptr (GError) error = NULL;
  gboolean released;

  g_free (release);
  released = till_tender_release_finish (TILL_TENDER (source), result, &error);
  if (self->session == NULL)
    return;
  set_busy (self, FALSE, NULL);
  if (!released)
    {
      show_error (self, error->message);
      update_view (self);
      return;
    }
  {
    TillPayment *payment = get_payment (self);
    int          index;

    /* The reversal may have taken the row off already: look again. */
    if (!till_payment_reload (payment, &error))
      {
        show_error (self, error->message);
        update_view (self);
        return;
      }
    index = find_attempt (payment, attempt);
    if (index >= 0 && !till_payment_remove (payment, (guint) index, &error))
      {
        show_error (self, error->message);
        update_view (self);
        return;
      }
  }
  set_message (self, _ ("The wallet payment was given back."));
  update_view (self);
}

/* The cashier voided the card payment on the terminal: take it off here. */
static void
card_voided_cb (AdwMessageDialog *dialog, const char *response, TillPaymentView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "tender-index"));

  gtk_widget_activate_action (GTK_WIDGET (self), "pay.void-card", "u", index);
}

static void
remove_tender (TillPaymentView *self, guint index, gboolean card_voided)
{
  TillPayment           *payment = get_payment (self);
  const TillSalePayment *tender_payment;
  TillTender            *tender;
  g_autoptr (GError) error = NULL;

  if (index >= till_payment_get_n_tenders (payment))
    {
      show_error (self, _ ("There is no such tender."));
      return;
    }
  tender_payment = till_payment_get_tender (payment, index);
  tender = till_tender_registry_lookup (get_tenders (self), tender_payment->method);

  if (tender_payment->kind == TILL_TENDER_KIND_WALLET && tender != NULL)
    {
      WalletRelease   *release = g_new0 (WalletRelease, 1);
      g_autofree char *label = dup_tender_label (self, tender_payment->method);
      g_autofree char *waiting = g_strdup_printf (_ ("Giving the %s payment back…"), label);

      release->self = g_object_ref (self);
      release->attempt = g_strdup (tender_payment->attempt);
      set_busy (self, TRUE, waiting);
      till_tender_release_async (tender, tender_payment, NULL, wallet_released_cb, release);
      return;
    }
  if (tender_payment->kind == TILL_TENDER_KIND_CARD && !card_voided)
    {
      GtkRoot         *root = gtk_widget_get_root (GTK_WIDGET (self));
      g_autofree char *amount = till_ui_format_money (tender_payment->amount);
      g_autofree char *body = g_strdup_printf (
          _ ("Void %s (reference %s) on the card terminal first, then confirm here."), amount,
          tender_payment->reference != NULL ? tender_payment->reference : "—");
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  _ ("Void the card payment"), body);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("Keep it"),
                                        "void", _ ("Voided on the terminal"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "void",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      g_object_set_data (G_OBJECT (dialog), "tender-index", GUINT_TO_POINTER (index));
      g_signal_connect_object (dialog, "response::void", G_CALLBACK (card_voided_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  /* Cash, stored value and vouchers moved nothing before the sale's own
   * transaction: taking them off is all there is to it. */
  if (!till_payment_remove (payment, index, &error))
    {
      show_error (self, error->message);
      return;
    }
  set_message (self, NULL);
  update_view (self);
}

/* ---- Actions ------------------------------------------------------------- */

static void
cash_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView  *self = TILL_PAYMENT_VIEW (widget);
  gint64            tendered = g_variant_get_int64 (parameter);
  TillTenderRequest request = { 0 };

  if (tendered <= 0)
    {
      show_error (self, _ ("Enter the cash received."));
      return;
    }
  /* The tenders were all taken but the sale was not recorded (the disk said
   * no): record it now. */
  if (till_payment_is_complete (get_payment (self)))
    {
      try_complete (self);
      return;
    }
  request.due = till_payment_get_cash_due (get_payment (self));
  request.amount = tendered;
  take_local (self, "cash", &request);
}

static void
exact_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  TillPayment     *payment = get_payment (self);

  if (till_payment_is_complete (payment))
    try_complete (self);
  else
    gtk_widget_activate_action (widget, "pay.cash", "x", till_payment_get_cash_due (payment));
}

/* ---- Members: their points and their stored-value card ---------------------- */

/* What the member's points may pay now, fen: at most their balance (less
 * the points this payment already takes), the rules' share of the sale
 * (less what points pay already) and the rest. The core checks again. */
static gint64
points_can_pay (TillPaymentView *self, const TillMember *member, gint64 *out_points)
{
  TillStore   *store = till_session_get_store (self->session);
  TillPayment *payment = get_payment (self);
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (GError) error = NULL;
  gint64 points;
  gint64 by_points = 0;
  gint64 by_share;
  gint64 applied = 0;

  points = till_loyalty_points_balance (store, member->id, &error);
  rules = error == NULL ? till_loyalty_rules_load (store, &error) : NULL;
  if (rules == NULL)
    {
      show_error (self, error->message);
      *out_points = 0;
      return 0;
    }
  for (guint i = 0; i < till_payment_get_n_tenders (payment); i++)
    if (till_payment_get_tender (payment, i)->kind == TILL_TENDER_KIND_POINTS)
      applied += till_payment_get_tender (payment, i)->amount;
  *out_points = points;
  if (rules->points_per_yuan_redeemed > 0)
    by_points = points * 100 / rules->points_per_yuan_redeemed - applied;
  by_share = till_payment_get_exact (payment) * rules->points_max_share_bp / 10000 - applied;
  return MAX (0, MIN (MIN (by_points, by_share), till_payment_get_remaining (payment)));
}

static void
show_points (TillPaymentView *self)
{
  const TillMember *member = till_cart_get_member (get_cart (self));
  gint64            points = 0;
  gint64            can_pay;
  g_autofree char  *can_pay_text = NULL;
  g_autofree char  *text = NULL;

  if (member == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->points_label), "");
      return;
    }
  can_pay = points_can_pay (self, member, &points);
  can_pay_text = till_ui_format_money (can_pay);
  text = g_strdup_printf (_ ("%s · %" PRId64 " points\nPoints pay up to %s"), member->phone_masked,
                          points, can_pay_text);
  gtk_label_set_text (GTK_LABEL (self->points_label), text);
  if (*till_keypad_get_text (self->keypad) == '\0')
    g_object_set (self->keypad, "placeholder", can_pay_text + strlen ("￥"), NULL);
}

/* pay.points(x): amount (0: the keypad's, else all the points may pay). */
static void
points_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView  *self = TILL_PAYMENT_VIEW (widget);
  const TillMember *member = till_cart_get_member (get_cart (self));
  gint64            amount = g_variant_get_int64 (parameter);
  gint64            points = 0;
  gint64            can_pay;
  TillTenderRequest request = { 0 };

  show_panel (self, "points");
  if (member == NULL)
    {
      show_error (self, _ ("Points are a member's: find the member on the sale screen first."));
      return;
    }
  can_pay = points_can_pay (self, member, &points);
  if (amount <= 0 && !keypad_amount (self, can_pay, &amount))
    return;
  if (amount <= 0)
    {
      show_error (self, _ ("The member's points cannot pay any of this sale."));
      return;
    }
  request.due = till_payment_get_remaining (get_payment (self));
  request.amount = amount;
  request.input = member->id;
  take_local (self, "points", &request);
  show_points (self);
}

/* The member's own card, when they have one: nothing to scan or type. */
static void
prefill_member_card (TillPaymentView *self)
{
  const TillMember *member = till_cart_get_member (get_cart (self));
  g_autoptr (TillStoredValueAccount) account = NULL;

  if (member == NULL || *gtk_editable_get_text (GTK_EDITABLE (self->stored_value_entry)) != '\0')
    return;
  account =
      till_stored_value_find_for_member (till_session_get_store (self->session), member->id, NULL);
  if (account != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "pay.find-card", "s", account->card_no);
}

static void
tender_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  const char      *tender_id = g_variant_get_string (parameter, NULL);

  if (!till_tender_registry_is_enabled (get_tenders (self), tender_id) ||
      till_tender_registry_lookup (get_tenders (self), tender_id) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_ ("The store does not take %s."), tender_id);

      show_error (self, message);
      return;
    }
  set_message (self, NULL);
  show_panel (self, tender_id);
  if (is_wallet_id (tender_id))
    gtk_widget_grab_focus (self->code_entry);
  else if (g_str_equal (tender_id, "card"))
    gtk_widget_grab_focus (self->card_reference_entry);
  else if (g_str_equal (tender_id, "stored-value"))
    {
      gtk_widget_grab_focus (self->stored_value_entry);
      prefill_member_card (self);
    }
  else if (g_str_equal (tender_id, "points"))
    show_points (self);
  else if (g_str_equal (tender_id, "voucher"))
    gtk_widget_grab_focus (self->voucher_entry);
}

/* pay.card((xss)): amount (0: what the keypad says, else all that is left),
 * the terminal's reference, the card's last four digits. */
static void
card_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView  *self = TILL_PAYMENT_VIEW (widget);
  gint64            remaining = till_payment_get_remaining (get_payment (self));
  gint64            amount = 0;
  const char       *reference = NULL;
  const char       *tail = NULL;
  TillTenderRequest request = { 0 };

  g_variant_get (parameter, "(x&s&s)", &amount, &reference, &tail);
  if (amount <= 0 && !keypad_amount (self, remaining, &amount))
    return;
  request.due = remaining;
  request.amount = amount;
  request.input = reference;
  request.account = tail;
  show_panel (self, "card");
  if (take_local (self, "card", &request))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->card_reference_entry), "");
      gtk_editable_set_text (GTK_EDITABLE (self->card_tail_entry), "");
    }
}

/* pay.find-card(s): shows a stored-value card's holder and balance. */
static void
find_card_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  const char      *card_no = g_variant_get_string (parameter, NULL);
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *will_pay = NULL;
  g_autofree char *text = NULL;
  gint64           remaining = till_payment_get_remaining (get_payment (self));

  show_panel (self, "stored-value");
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->stored_value_entry)), card_no) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->stored_value_entry), card_no);
  account = till_stored_value_find (till_session_get_store (self->session), card_no, &error);
  if (account == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->stored_value_label), "");
      show_error (self, error->message);
      return;
    }
  masked = till_stored_value_mask_card (account->card_no);
  balance = till_ui_format_money (account->balance);
  will_pay = till_ui_format_money (MIN (account->balance, remaining));
  text = g_strdup_printf (_ ("%s · %s\nBalance %s · pays %s"), account->holder, masked, balance,
                          will_pay);
  gtk_label_set_text (GTK_LABEL (self->stored_value_label), text);
  /* The default is as much of the rest as the balance covers. */
  if (*till_keypad_get_text (self->keypad) == '\0')
    g_object_set (self->keypad, "placeholder", will_pay + strlen ("￥"), NULL);
  set_message (self, NULL);
}

/* pay.stored-value((sx)): card number, amount (0: the keypad's, else as much
 * of the rest as the balance covers). */
static void
stored_value_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView  *self = TILL_PAYMENT_VIEW (widget);
  gint64            remaining = till_payment_get_remaining (get_payment (self));
  gint64            amount = 0;
  const char       *card_no = NULL;
  TillTenderRequest request = { 0 };
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) error = NULL;

  g_variant_get (parameter, "(&sx)", &card_no, &amount);
  show_panel (self, "stored-value");
  account = till_stored_value_find (till_session_get_store (self->session), card_no, &error);
  if (account == NULL)
    {
      show_error (self, error->message);
      return;
    }
  if (amount <= 0 && !keypad_amount (self, MIN (account->balance, remaining), &amount))
    return;
  request.due = remaining;
  request.amount = amount;
  request.input = card_no;
  if (take_local (self, "stored-value", &request))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->stored_value_entry), "");
      gtk_label_set_text (GTK_LABEL (self->stored_value_label), "");
    }
}

static void
voucher_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView  *self = TILL_PAYMENT_VIEW (widget);
  gint64            remaining = till_payment_get_remaining (get_payment (self));
  TillTenderRequest request = { 0 };

  show_panel (self, "voucher");
  request.due = remaining;
  request.amount = remaining;
  request.input = g_variant_get_string (parameter, NULL);
  if (take_local (self, "voucher", &request))
    gtk_editable_set_text (GTK_EDITABLE (self->voucher_entry), "");
}

static void
code_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  take_wallet_code (TILL_PAYMENT_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
remove_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  remove_tender (TILL_PAYMENT_VIEW (widget), g_variant_get_uint32 (parameter), FALSE);
}

static void
void_card_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  remove_tender (TILL_PAYMENT_VIEW (widget), g_variant_get_uint32 (parameter), TRUE);
}

static void
cancel_wallet_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);

  if (self->wallet_cancellable == NULL)
    return;
  /* The service reverses the attempt before the payment finishes as
   * cancelled: the screen waits for that. */
  self->cancelling = TRUE;
  gtk_label_set_text (GTK_LABEL (self->waiting_label), _ ("Cancelling…"));
  gtk_label_set_text (GTK_LABEL (self->progress_label), "");
  g_cancellable_cancel (self->wallet_cancellable);
  update_actions (self);
}

static void
defer_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (TillSalePayment) tender_payment = NULL;
  g_autoptr (GError) error = NULL;

  if (self->offline_code == NULL)
    return;
  attempt = till_wallet_service_defer (
      till_session_get_wallet_service (self->session), self->offline_provider,
      till_cart_get_sale_uuid (get_cart (self)), self->offline_amount, self->offline_code, &error);
  clear_offline (self);
  if (attempt == NULL)
    {
      show_error (self, error->message);
      update_actions (self);
      return;
    }
  tender_payment = till_wallet_attempt_to_payment (attempt);
  apply_and_continue (self, tender_payment);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  TillPayment     *payment = get_payment (self);
  g_autoptr (GError) error = NULL;

  if (payment != NULL && till_payment_has_captured (payment))
    {
      show_error (self, _ ("Card or wallet money was taken: take those tenders off first (the "
                           "money goes back), or finish the payment."));
      return;
    }
  /* Nothing applied moved money yet: the tenders go, the cart stays. */
  while (payment != NULL && till_payment_get_n_tenders (payment) > 0)
    if (!till_payment_remove (payment, till_payment_get_n_tenders (payment) - 1, &error))
      {
        show_error (self, error->message);
        update_view (self);
        return;
      }
  set_message (self, NULL);
  clear_offline (self);
  till_keypad_clear (self->keypad);
  g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
}

static void
new_sale_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);

  g_clear_object (&self->sale);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "tender");
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

/* ---- Input --------------------------------------------------------------- */

static void
code_entry_activate_cb (TillPaymentView *self)
{
  g_autofree char *code =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_entry))));

  if (*code == '\0')
    {
      show_error (self, _ ("Scan the customer's payment code first."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.code", "s", code);
}

static void
card_entry_activate_cb (TillPaymentView *self)
{
  const char *reference = gtk_editable_get_text (GTK_EDITABLE (self->card_reference_entry));
  const char *tail = gtk_editable_get_text (GTK_EDITABLE (self->card_tail_entry));

  if (*reference == '\0')
    {
      gtk_widget_grab_focus (self->card_reference_entry);
      show_error (self, _ ("Key in the terminal's reference number."));
      return;
    }
  if (*tail == '\0')
    {
      gtk_widget_grab_focus (self->card_tail_entry);
      show_error (self, _ ("Key in the card's last 4 digits."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.card", "(xss)", (gint64) 0, reference, tail);
}

static void
stored_value_entry_activate_cb (TillPaymentView *self)
{
  g_autofree char *card_no =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->stored_value_entry))));

  if (*card_no == '\0')
    {
      show_error (self, _ ("Scan or key the stored-value card first."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.find-card", "s", card_no);
}

static void
voucher_entry_activate_cb (TillPaymentView *self)
{
  g_autofree char *code =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->voucher_entry))));

  if (*code == '\0')
    {
      show_error (self, _ ("Scan or key the voucher code first."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.voucher", "s", code);
}

/* Enter on the keypad takes the amount with the chosen tender. */
static void
keypad_activate_cb (TillPaymentView *self, TillKeypad *keypad)
{
  TillPayment *payment = get_payment (self);
  gint64       amount = 0;

  if (payment == NULL)
    return;
  if (is_wallet_id (self->tender_id))
    {
      code_entry_activate_cb (self);
      return;
    }
  if (g_strcmp0 (self->tender_id, "card") == 0)
    {
      card_entry_activate_cb (self);
      return;
    }
  if (g_strcmp0 (self->tender_id, "stored-value") == 0)
    {
      g_autofree char *card_no =
          g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->stored_value_entry))));

      if (*card_no == '\0')
        {
          show_error (self, _ ("Scan or key the stored-value card first."));
          return;
        }
      /* 0: the keypad's amount, else as much as the balance covers. */
      gtk_widget_activate_action (GTK_WIDGET (self), "pay.stored-value", "(sx)", card_no,
                                  (gint64) 0);
      return;
    }
  if (g_strcmp0 (self->tender_id, "voucher") == 0)
    {
      voucher_entry_activate_cb (self);
      return;
    }
  if (g_strcmp0 (self->tender_id, "points") == 0)
    {
      /* 0: the keypad's amount, else all the points may pay. */
      gtk_widget_activate_action (GTK_WIDGET (self), "pay.points", "x", (gint64) 0);
      return;
    }
  if (!keypad_amount (self, till_payment_get_cash_due (payment), &amount))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.cash", "x", amount);
}

static void
keypad_text_changed_cb (TillPaymentView *self)
{
  update_amount_hints (self);
}

static gboolean
focus_is_text (TillPaymentView *self)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && GTK_IS_EDITABLE (focus);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillPaymentView       *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  if (self->sale != NULL)
    {
      /* Enter after the change is shown starts the next sale. */
      if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
        return gtk_widget_activate_action (GTK_WIDGET (self), "sale.new", NULL);
      return FALSE;
    }
  /* A code, a card number or a reference being keyed: the entry's. */
  if (self->busy || focus_is_text (self))
    return FALSE;
  return till_keypad_handle_key (self->keypad, keyval);
}

static void
payment_changed_cb (TillPaymentView *self)
{
  if (self->sale == NULL)
    update_view (self);
}

static void
cart_changed_cb (TillPaymentView *self)
{
  update_summary (self);
  update_amount_hints (self);
  update_actions (self);
}

static void
till_payment_view_dispose (GObject *object)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (object);

  /* A wallet payment still waiting is reversed by the service; a till that
   * quits meanwhile carries it on at the next start (resume). */
  if (self->wallet_cancellable != NULL)
    g_cancellable_cancel (self->wallet_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_PAYMENT_VIEW);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  if (self->payment_signals != NULL)
    g_signal_group_set_target (self->payment_signals, NULL);
  g_clear_object (&self->payment_signals);
  g_clear_object (&self->sale);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_payment_view_parent_class)->dispose (object);
}

static void
till_payment_view_finalize (GObject *object)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (object);

  g_clear_object (&self->wallet_cancellable);
  g_clear_pointer (&self->tender_buttons, g_ptr_array_unref);
  g_free (self->tender_id);
  g_free (self->offline_code);
  G_OBJECT_CLASS (till_payment_view_parent_class)->finalize (object);
}

static void
till_payment_view_class_init (TillPaymentViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_payment_view_dispose;
  object_class->finalize = till_payment_view_finalize;

  signals[SIGNAL_SALE_COMPLETED] =
      g_signal_new ("sale-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, TILL_TYPE_SALE);
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "pay.cash", "x", cash_action);
  gtk_widget_class_install_action (widget_class, "pay.exact", NULL, exact_action);
  gtk_widget_class_install_action (widget_class, "pay.tender", "s", tender_action);
  gtk_widget_class_install_action (widget_class, "pay.card", "(xss)", card_action);
  gtk_widget_class_install_action (widget_class, "pay.find-card", "s", find_card_action);
  gtk_widget_class_install_action (widget_class, "pay.stored-value", "(sx)", stored_value_action);
  gtk_widget_class_install_action (widget_class, "pay.voucher", "s", voucher_action);
  gtk_widget_class_install_action (widget_class, "pay.points", "x", points_action);
  gtk_widget_class_install_action (widget_class, "pay.code", "s", code_action);
  gtk_widget_class_install_action (widget_class, "pay.remove", "u", remove_action);
  gtk_widget_class_install_action (widget_class, "pay.void-card", "u", void_card_action);
  gtk_widget_class_install_action (widget_class, "pay.cancel-wallet", NULL, cancel_wallet_action);
  gtk_widget_class_install_action (widget_class, "pay.defer", NULL, defer_action);
  gtk_widget_class_install_action (widget_class, "pay.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "sale.new", NULL, new_sale_action);

  g_type_ensure (TILL_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-payment-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, stack);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, exact_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, paid_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, due_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, due_items_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, cash_due_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, tender_buttons_box);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, tenders_scroller);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, tenders_list);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, notes_box);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, back_button);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, wallet_prompt_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, code_entry);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, defer_button);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, waiting_spinner);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, cancel_wallet_button);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, card_amount_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, card_reference_entry);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, card_tail_entry);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, stored_value_entry);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, stored_value_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, points_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, voucher_entry);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, amount_title_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, keypad);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, change_caption_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, change_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, receipt_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, print_label);
  gtk_widget_class_bind_template_callback (widget_class, keypad_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, code_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, card_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stored_value_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, voucher_entry_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "paymentview");
}

static void
till_payment_view_init (TillPaymentView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->tender_buttons = g_ptr_array_new ();
  self->tender_id = g_strdup ("cash");

  for (guint i = 0; i < G_N_ELEMENTS (quick_notes); i++)
    {
      g_autofree char *label = till_ui_format_money (quick_notes[i]);
      GtkWidget       *button;
      char            *dot;

      /* "￥100", not "￥100.00": it names the note. */
      dot = strchr (label, '.');
      if (dot != NULL)
        *dot = '\0';
      button = gtk_button_new_with_label (label);
      gtk_widget_add_css_class (button, "cash-note");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "pay.cash");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_int64 (quick_notes[i]));
      gtk_flow_box_append (GTK_FLOW_BOX (self->notes_box), button);
      self->note_buttons[i] = button;
    }

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect_object (self->keypad, "notify::text", G_CALLBACK (keypad_text_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->payment_signals = g_signal_group_new (TILL_TYPE_PAYMENT);
  g_signal_group_connect_swapped (self->payment_signals, "changed", G_CALLBACK (payment_changed_cb),
                                  self);

  set_message (self, NULL);
  gtk_widget_set_visible (self->tenders_scroller, FALSE);
  gtk_widget_set_visible (self->cash_due_label, FALSE);
  update_actions (self);
}

/* ---- Public API ---------------------------------------------------------- */

void
till_payment_view_set_session (TillPaymentView *self, TillSession *session)
{
  TillCart *cart;

  g_return_if_fail (TILL_IS_PAYMENT_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  cart = till_session_get_cart (session);
  g_signal_connect_object (cart, "notify::total", G_CALLBACK (cart_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (cart, "items-changed", G_CALLBACK (cart_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::user", G_CALLBACK (cart_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::payment", G_CALLBACK (payment_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_object_bind_property (session, "payment", self->payment_signals, "target",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (till_session_get_wallet_service (session), "progress",
                           G_CALLBACK (wallet_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (till_session_get_wallet_service (session), "attempt-resolved",
                           G_CALLBACK (attempt_resolved_cb), self, G_CONNECT_SWAPPED);
  rebuild_tender_buttons (self);
  update_view (self);
}

/**
 * till_payment_view_begin:
 *
 * Shows the tender page for the cart as it is now, with the tenders already
 * applied to it (a till restarted in the middle of a mixed payment shows
 * what it took).
 */
void
till_payment_view_begin (TillPaymentView *self)
{
  TillTenderRegistry *tenders;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TILL_IS_PAYMENT_VIEW (self));

  g_clear_object (&self->sale);
  set_message (self, NULL);
  till_keypad_clear (self->keypad);
  gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->card_reference_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->card_tail_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->stored_value_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->voucher_entry), "");
  gtk_label_set_text (GTK_LABEL (self->stored_value_label), "");
  gtk_label_set_text (GTK_LABEL (self->points_label), "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "tender");
  if (self->session != NULL && !till_session_reload_payment (self->session, &error))
    show_error (self, error->message);
  /* The store may have changed which tenders it takes. */
  rebuild_tender_buttons (self);
  tenders = get_tenders (self);
  if (tenders != NULL && !self->busy)
    {
      const char *first = self->tender_buttons->len > 0
                              ? g_object_get_data (self->tender_buttons->pdata[0], "tender-id")
                              : "cash";

      show_panel (self, till_tender_registry_is_enabled (tenders, "cash") ? "cash" : first);
    }
  update_view (self);
}

/**
 * till_payment_view_take_scan:
 * @code: what a scanner (keyboard wedge, serial, camera) read
 *
 * A scan while the payment page shows: a customer's payment code goes to its
 * wallet (by prefix); on the stored-value or voucher panel, anything else is
 * that card or voucher; otherwise the cashier is told it is not a payment
 * code. A wedge scanner's digits that reached the keypad are taken out.
 */
void
till_payment_view_take_scan (TillPaymentView *self, const char *code)
{
  const char *typed;

  g_return_if_fail (TILL_IS_PAYMENT_VIEW (self));
  g_return_if_fail (code != NULL);

  typed = till_keypad_get_text (self->keypad);
  if (*typed != '\0' && g_str_has_prefix (code, typed))
    till_keypad_clear (self->keypad);
  if (self->sale != NULL || self->session == NULL)
    {
      g_message ("Scan %s ignored: the sale is paid", code);
      return;
    }
  if (self->busy)
    {
      show_error (self, _ ("Wait: a payment is in progress."));
      return;
    }
  if (till_wallet_route_code (code) == TILL_WALLET_NONE)
    {
      if (g_strcmp0 (self->tender_id, "stored-value") == 0)
        {
          gtk_widget_activate_action (GTK_WIDGET (self), "pay.find-card", "s", code);
          return;
        }
      if (g_strcmp0 (self->tender_id, "voucher") == 0)
        {
          gtk_widget_activate_action (GTK_WIDGET (self), "pay.voucher", "s", code);
          return;
        }
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.code", "s", code);
}

void
till_payment_view_set_print_status (TillPaymentView *self, const char *message, gboolean is_error)
{
  g_return_if_fail (TILL_IS_PAYMENT_VIEW (self));

  gtk_label_set_text (GTK_LABEL (self->print_label), message != NULL ? message : "");
  if (is_error)
    gtk_widget_add_css_class (self->print_label, "error-message");
  else
    gtk_widget_remove_css_class (self->print_label, "error-message");
}

TillSale *
till_payment_view_get_sale (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return self->sale;
}

const char *
till_payment_view_get_change_text (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->change_label));
}

/**
 * till_payment_view_get_due_text:
 * Returns: what cash must cover now ("￥12.30"): the remaining amount with
 *   the store's 抹零 applied
 */
const char *
till_payment_view_get_due_text (TillPaymentView *self)
{
  TillPayment *payment;
  char        *text;

  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);

  payment = get_payment (self);
  if (payment == NULL)
    return gtk_label_get_text (GTK_LABEL (self->due_label));
  text = till_ui_format_money (till_payment_get_cash_due (payment));
  g_object_set_data_full (G_OBJECT (self), "due-text", text, g_free);
  return text;
}

/* The big "remaining" figure. */
const char *
till_payment_view_get_remaining_text (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->due_label));
}

const char *
till_payment_view_get_message (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->message_label));
}

/* "cash", "wallet", "waiting", "card", "stored-value" or "voucher". */
const char *
till_payment_view_get_panel (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->panel_stack));
}

gboolean
till_payment_view_is_busy (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), FALSE);
  return self->busy;
}

/* While busy: what the screen waits for, then the provider's progress. */
char *
till_payment_view_dup_waiting_text (TillPaymentView *self)
{
  const char *progress;

  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);

  progress = gtk_label_get_text (GTK_LABEL (self->progress_label));
  if (*progress == '\0')
    return g_strdup (gtk_label_get_text (GTK_LABEL (self->waiting_label)));
  return g_strdup_printf ("%s\n%s", gtk_label_get_text (GTK_LABEL (self->waiting_label)), progress);
}

/* The stored-value panel's holder and balance line. */
const char *
till_payment_view_get_stored_value_text (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->stored_value_label));
}

/* The tender ids of the buttons shown, in their order (transfer container). */
GPtrArray *
till_payment_view_list_tender_buttons (TillPaymentView *self)
{
  GPtrArray *ids;

  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);

  ids = g_ptr_array_new ();
  for (guint i = 0; i < self->tender_buttons->len; i++)
    g_ptr_array_add (ids, g_object_get_data (self->tender_buttons->pdata[i], "tender-id"));
  return ids;
}

/* Whether "Confirm later" is offered. */
gboolean
till_payment_view_can_defer (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), FALSE);
  return self->offline_code != NULL;
}

/* The receipt line under the change ("Receipt printed.", or why not). */
const char *
till_payment_view_get_print_status (TillPaymentView *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->print_label));
}
