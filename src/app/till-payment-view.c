/* till-payment-view.c: taking the money: cash tendered, change, next customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-payment-view.h"
#include "till-ui-util.h"
#include "widgets/till-keypad.h"

/* The notes a customer hands over most: ￥10, ￥20, ￥50, ￥100 (in fen). */
static const gint64 quick_notes[] = { 1000, 2000, 5000, 10000 };

struct _TillPaymentView
{
  GtkWidget parent_instance;

  GtkWidget  *stack;
  GtkWidget  *due_label;
  GtkWidget  *due_items_label;
  GtkWidget  *notes_box;
  GtkWidget  *message_label;
  TillKeypad *keypad;
  GtkWidget  *change_label;
  GtkWidget  *summary_label;
  GtkWidget  *receipt_label;
  GtkWidget  *print_label;
  GtkWidget  *note_buttons[G_N_ELEMENTS (quick_notes)];

  TillSession *session;
  TillSale    *sale;
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

static TillCart *
get_cart (TillPaymentView *self)
{
  return self->session != NULL ? till_session_get_cart (self->session) : NULL;
}

static void
update_actions (TillPaymentView *self)
{
  TillCart *cart = get_cart (self);
  gboolean  tendering = cart != NULL && self->sale == NULL &&
                       till_session_get_user (self->session) != NULL &&
                       till_cart_get_n_lines (cart) > 0;
  GtkWidget *widget = GTK_WIDGET (self);

  till_ui_action_set_enabled (widget, "pay.cash", tendering);
  till_ui_action_set_enabled (widget, "pay.exact", tendering);
  till_ui_action_set_enabled (widget, "pay.cancel", self->sale == NULL);
  till_ui_action_set_enabled (widget, "sale.new", self->sale != NULL);
}

static void
set_message (TillPaymentView *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
}

static void
show_error (TillPaymentView *self, const char *message)
{
  set_message (self, message);
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
update_due (TillPaymentView *self)
{
  TillCart        *cart = get_cart (self);
  gint64           total;
  g_autofree char *due = NULL;
  g_autofree char *count = NULL;
  g_autofree char *items = NULL;
  gint64           n_items;

  if (cart == NULL || self->sale != NULL)
    return;
  total = till_cart_get_total (cart);
  due = till_ui_format_money (total);
  gtk_label_set_text (GTK_LABEL (self->due_label), due);
  n_items = till_cart_get_item_count (cart);
  count = g_strdup_printf ("%" G_GINT64_FORMAT, n_items);
  items = g_strdup_printf (ngettext ("%s item", "%s items", (gulong) MAX (n_items, 0)), count);
  gtk_label_set_text (GTK_LABEL (self->due_items_label), items);

  /* A note smaller than the total is no use: offer only the ones that cover it. */
  for (guint i = 0; i < G_N_ELEMENTS (quick_notes); i++)
    gtk_widget_set_visible (self->note_buttons[i], quick_notes[i] >= total);
}

static void
complete (TillPaymentView *self, gint64 tendered)
{
  TillCart *cart = get_cart (self);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *change = NULL;
  g_autofree char *total = NULL;
  g_autofree char *paid = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *receipt_no = NULL;
  g_autofree char *receipt = NULL;

  if (tendered < till_cart_get_total (cart))
    {
      g_autofree char *given = till_ui_format_money (tendered);
      g_autofree char *due = till_ui_format_money (till_cart_get_total (cart));
      g_autofree char *message =
          g_strdup_printf (_ ("Not enough cash: %s received, %s due."), given, due);
      show_error (self, message);
      return;
    }

  sale = till_sale_commit_cash (cart, till_session_get_journal (self->session),
                                till_session_get_user (self->session), tendered, &error);
  if (sale == NULL)
    {
      /* Nothing was recorded and the cart is as it was: the cashier can retry.
       * The core's message says so; disk trouble also goes to the log. */
      if (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE))
        g_warning ("%s", error->message);
      show_error (self, error->message);
      return;
    }

  self->sale = g_steal_pointer (&sale);
  change = till_ui_format_money (till_sale_get_change (self->sale));
  total = till_ui_format_money (till_sale_get_total (self->sale));
  paid = till_ui_format_money (till_sale_get_tendered (self->sale));
  summary = g_strdup_printf (_ ("Total %s · Cash %s"), total, paid);
  receipt_no = till_sale_format_receipt_no (self->sale);
  receipt = g_strdup_printf (_ ("Receipt %s"), receipt_no);

  gtk_label_set_text (GTK_LABEL (self->change_label), change);
  gtk_label_set_text (GTK_LABEL (self->summary_label), summary);
  gtk_label_set_text (GTK_LABEL (self->receipt_label), receipt);
  till_payment_view_set_print_status (self, _ ("Printing the receipt…"), FALSE);
  set_message (self, NULL);
  till_keypad_clear (self->keypad);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "done");
  update_actions (self);

  g_signal_emit (self, signals[SIGNAL_SALE_COMPLETED], 0, self->sale);
}

static void
cash_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);
  gint64           tendered = g_variant_get_int64 (parameter);

  if (tendered <= 0)
    {
      show_error (self, _ ("Enter the cash received."));
      return;
    }
  complete (self, tendered);
}

static void
exact_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);

  complete (self, till_cart_get_total (get_cart (self)));
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (widget);

  set_message (self, NULL);
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

static void
keypad_activate_cb (TillPaymentView *self, TillKeypad *keypad)
{
  const char *text = till_keypad_get_text (keypad);
  g_autoptr (GError) error = NULL;
  gint64 tendered = 0;

  if (*text == '\0')
    {
      show_error (self, _ ("Type the cash received on the keypad first."));
      return;
    }
  if (!till_money_parse (text, &tendered, &error))
    {
      g_autofree char *message = g_strdup_printf (_ ("“%s” is not an amount of money."), text);
      show_error (self, message);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "pay.cash", "x", tendered);
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
  return till_keypad_handle_key (self->keypad, keyval);
}

static void
cart_changed_cb (TillPaymentView *self)
{
  update_due (self);
  update_actions (self);
}

static void
till_payment_view_dispose (GObject *object)
{
  TillPaymentView *self = TILL_PAYMENT_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_PAYMENT_VIEW);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->sale);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_payment_view_parent_class)->dispose (object);
}

static void
till_payment_view_class_init (TillPaymentViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_payment_view_dispose;

  signals[SIGNAL_SALE_COMPLETED] =
      g_signal_new ("sale-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, TILL_TYPE_SALE);
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "pay.cash", "x", cash_action);
  gtk_widget_class_install_action (widget_class, "pay.exact", NULL, exact_action);
  gtk_widget_class_install_action (widget_class, "pay.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "sale.new", NULL, new_sale_action);

  g_type_ensure (TILL_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-payment-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, stack);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, due_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, due_items_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, notes_box);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, keypad);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, change_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, receipt_label);
  gtk_widget_class_bind_template_child (widget_class, TillPaymentView, print_label);
  gtk_widget_class_bind_template_callback (widget_class, keypad_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "paymentview");
}

static void
till_payment_view_init (TillPaymentView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

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

  set_message (self, NULL);
  update_actions (self);
}

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
  cart_changed_cb (self);
}

void
till_payment_view_begin (TillPaymentView *self)
{
  g_return_if_fail (TILL_IS_PAYMENT_VIEW (self));

  g_clear_object (&self->sale);
  set_message (self, NULL);
  till_keypad_clear (self->keypad);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "tender");
  update_due (self);
  update_actions (self);
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

const char *
till_payment_view_get_due_text (TillPaymentView *self)
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
