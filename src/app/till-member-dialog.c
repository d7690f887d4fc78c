/* till-member-dialog.c: a member for the sale (find by phone, card or member
 * QR; register in a few taps) and a top-up of a member's stored-value card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-member-dialog.h"
#include "till-ui-util.h"

/* Quick amounts of a top-up, fen: ¥100, ¥200, ¥500. */
static const gint64 quick_amounts[] = { 10000, 20000, 50000 };

/* How a top-up may be paid at the till: money the till itself takes. */
static const struct
{
  const char *id;
  const char *label;
} top_up_methods[] = {
  { "cash", N_ ("Cash") },
  { "card", N_ ("Bank card") },
};

struct _TillMemberDialog
{
  GtkWindow parent_instance;

  /* template children */
  GtkWidget  *title_label;
  GtkWidget  *pages;
  TillKeypad *find_keypad;
  GtkWidget  *phone_entry;
  GtkWidget  *name_entry;
  GtkWidget  *birthday_entry;
  GtkWidget  *opt_out_switch;
  GtkWidget  *top_up_member_label;
  GtkWidget  *quick_amounts_box;
  TillKeypad *amount_keypad;
  GtkWidget  *bonus_label;
  GtkWidget  *methods_box;
  GtkWidget  *error_label;
  GtkWidget  *register_button;
  GtkWidget  *confirm_button;

  TillSession *session;
  char        *member_id; /* the member topped up */
  char        *method;    /* how the top-up is paid */
  GPtrArray   *method_buttons;
};

G_DEFINE_FINAL_TYPE (TillMemberDialog, till_member_dialog, GTK_TYPE_WINDOW)

enum
{
  SIGNAL_MEMBER_CHOSEN,
  SIGNAL_TOPPED_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TillMemberDialog *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->error_label, message != NULL && *message != '\0');
  if (message != NULL && *message != '\0')
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
set_page (TillMemberDialog *self, const char *page)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->pages), page);
  show_error (self, NULL);
  if (g_str_equal (page, "find"))
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _ ("Member"));
      gtk_button_set_label (GTK_BUTTON (self->register_button), _ ("New member"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->register_button),
                                      "member.show-register");
      gtk_button_set_label (GTK_BUTTON (self->confirm_button), _ ("Find"));
      gtk_widget_set_visible (self->register_button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->find_keypad));
    }
  else if (g_str_equal (page, "register"))
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _ ("New member"));
      gtk_button_set_label (GTK_BUTTON (self->register_button), _ ("Back"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->register_button), "member.show-find");
      gtk_button_set_label (GTK_BUTTON (self->confirm_button), _ ("Register"));
      gtk_widget_set_visible (self->register_button, TRUE);
      gtk_widget_grab_focus (self->phone_entry);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _ ("Top up stored value"));
      gtk_button_set_label (GTK_BUTTON (self->confirm_button), _ ("Top up"));
      gtk_widget_set_visible (self->register_button, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_keypad));
    }
}

static void
chosen (TillMemberDialog *self, const char *member_id)
{
  g_autofree char *id = g_strdup (member_id);

  /* The handler may attach the member and the window close us: keep
   * ourselves alive until the signal returns. */
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_MEMBER_CHOSEN], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

/* The amount on the top-up keypad, fen; 0 when none or not money. */
static gint64
typed_amount (TillMemberDialog *self)
{
  gint64 amount = 0;

  if (!till_money_parse (till_keypad_get_text (self->amount_keypad), &amount, NULL))
    return 0;
  return amount;
}

static void
update_method_buttons (TillMemberDialog *self)
{
  for (guint i = 0; i < self->method_buttons->len; i++)
    {
      GtkWidget  *button = self->method_buttons->pdata[i];
      const char *id = g_object_get_data (G_OBJECT (button), "method");

      if (g_strcmp0 (id, self->method) == 0)
        gtk_widget_add_css_class (button, "tender-chosen");
      else
        gtk_widget_remove_css_class (button, "tender-chosen");
    }
}

/* Actions */

static void
find_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  g_autofree char  *code = g_strstrip (g_variant_dup_string (parameter, NULL));
  g_autoptr (TillMember) member = NULL;
  g_autoptr (GError) error = NULL;

  if (*code == '\0')
    {
      g_free (code);
      code = g_strstrip (g_strdup (till_keypad_get_text (self->find_keypad)));
    }
  if (*code == '\0')
    {
      show_error (self, _ ("Key the phone number, or scan the member's card or QR code."));
      return;
    }
  member = till_member_find (till_session_get_store (self->session),
                             till_session_get_member_key (self->session), code, &error);
  if (member == NULL)
    {
      if (g_error_matches (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND))
        {
          /* The message must not repeat a phone number in full. */
          show_error (self, _ ("No member has this phone number or card. Tap New member to "
                               "register them."));
        }
      else
        show_error (self, error->message);
      return;
    }
  chosen (self, member->id);
}

static void
show_find_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  set_page (TILL_MEMBER_DIALOG (widget), "find");
}

/* The phone keyed on the find page is the new member's, usually. */
static void
show_register_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  const char       *typed = till_keypad_get_text (self->find_keypad);

  if (*gtk_editable_get_text (GTK_EDITABLE (self->phone_entry)) == '\0' && *typed != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->phone_entry), typed);
  set_page (self, "register");
}

static void
register_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  g_autofree char  *phone =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->phone_entry))));
  g_autofree char *name =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));
  g_autofree char *birthday =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->birthday_entry))));
  TillMemberSpec spec = { 0 };
  g_autoptr (TillMember) member = NULL;
  g_autoptr (GError) error = NULL;

  if (*phone == '\0')
    {
      show_error (self, _ ("Key the member's mobile number first."));
      gtk_widget_grab_focus (self->phone_entry);
      return;
    }
  spec.phone = phone;
  spec.name = *name != '\0' ? name : NULL;
  spec.birthday = *birthday != '\0' ? birthday : NULL;
  spec.opt_out = gtk_switch_get_active (GTK_SWITCH (self->opt_out_switch));
  member = till_member_register (till_session_get_store (self->session),
                                 till_session_get_journal (self->session),
                                 till_session_get_member_key (self->session),
                                 till_session_get_user (self->session), &spec, &error);
  if (member == NULL)
    {
      show_error (self, error->message);
      if (g_error_matches (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_BIRTHDAY))
        gtk_widget_grab_focus (self->birthday_entry);
      else
        gtk_widget_grab_focus (self->phone_entry);
      return;
    }
  till_session_kick_sync (self->session);
  chosen (self, member->id);
}

static void
quick_amount_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  gint64            amount = g_variant_get_int64 (parameter);
  g_autofree char  *text = g_strdup_printf ("%" G_GINT64_FORMAT, amount / 100);

  till_keypad_set_text (self->amount_keypad, text);
}

static void
method_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);

  g_free (self->method);
  self->method = g_variant_dup_string (parameter, NULL);
  update_method_buttons (self);
}

static void
top_up_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  gint64            amount = typed_amount (self);
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *paid = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *message = NULL;
  gint64           bonus;

  if (amount <= 0)
    {
      show_error (self, _ ("Key the amount to top up, or tap a quick amount."));
      return;
    }
  bonus = till_stored_value_bonus_for (till_session_get_store (self->session), amount, NULL);
  account = till_stored_value_top_up (
      till_session_get_store (self->session), till_session_get_journal (self->session),
      till_session_get_user (self->session), self->member_id, amount, self->method, &error);
  if (account == NULL)
    {
      show_error (self, error->message);
      return;
    }
  till_session_kick_sync (self->session);
  paid = till_ui_format_money (amount);
  balance = till_ui_format_money (account->balance);
  if (bonus > 0)
    {
      g_autofree char *bonus_text = till_ui_format_money (bonus);

      message = g_strdup_printf (_ ("Topped up %s with a bonus of %s: the card holds %s."), paid,
                                 bonus_text, balance);
    }
  else
    message = g_strdup_printf (_ ("Topped up %s: the card holds %s."), paid, balance);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_TOPPED_UP], 0, message);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

/* Callbacks */

static void
find_activate_cb (TillMemberDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.find", "s", "");
}

static void
register_activate_cb (TillMemberDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.register", NULL);
}

static void
top_up_activate_cb (TillMemberDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.top-up", NULL);
}

static void
cancel_clicked_cb (TillMemberDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
confirm_clicked_cb (TillMemberDialog *self)
{
  const char *page = till_member_dialog_get_page (self);

  if (g_str_equal (page, "find"))
    find_activate_cb (self);
  else if (g_str_equal (page, "register"))
    register_activate_cb (self);
  else
    top_up_activate_cb (self);
}

/* The bonus follows the amount as it is keyed (充100送10). */
static void
amount_changed_cb (TillMemberDialog *self)
{
  gint64           amount = typed_amount (self);
  gint64           bonus = 0;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  if (self->session == NULL)
    return;
  if (amount > 0)
    bonus = till_stored_value_bonus_for (till_session_get_store (self->session), amount, &error);
  if (error != NULL)
    text = g_strdup (error->message);
  else if (amount <= 0)
    text = g_strdup (_ ("Key the amount, or tap a quick amount."));
  else if (bonus > 0)
    {
      g_autofree char *bonus_text = till_ui_format_money (bonus);
      g_autofree char *total = till_ui_format_money (amount + bonus);

      text = g_strdup_printf (_ ("Bonus %s: the card gets %s"), bonus_text, total);
    }
  else
    text = g_strdup (_ ("No bonus for this amount"));
  gtk_label_set_text (GTK_LABEL (self->bonus_label), text);
}

static gboolean
focus_is_entry (TillMemberDialog *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  return focus != NULL && (GTK_IS_TEXT (focus) || GTK_IS_EDITABLE (focus));
}

/* A keyboard-wedge scanner types into this window while it is open: a
 * member QR has letters and "|", which the keypad has not. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillMemberDialog      *self)
{
  const char *page = till_member_dialog_get_page (self);
  gunichar    character = gdk_keyval_to_unicode (keyval);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) || focus_is_entry (self))
    return FALSE;
  if (g_str_equal (page, "top-up"))
    return till_keypad_handle_key (self->amount_keypad, keyval);
  if (!g_str_equal (page, "find"))
    return FALSE;
  if (character > ' ' && character < 127 && !g_ascii_isdigit ((char) character))
    {
      g_autofree char *text =
          g_strdup_printf ("%s%c", till_keypad_get_text (self->find_keypad), (char) character);

      till_keypad_set_text (self->find_keypad, text);
      return TRUE;
    }
  return till_keypad_handle_key (self->find_keypad, keyval);
}

static void
till_member_dialog_dispose (GObject *object)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_MEMBER_DIALOG);
  g_clear_object (&self->session);
  g_clear_pointer (&self->method_buttons, g_ptr_array_unref);

  G_OBJECT_CLASS (till_member_dialog_parent_class)->dispose (object);
}

static void
till_member_dialog_finalize (GObject *object)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (object);

  g_free (self->member_id);
  g_free (self->method);

  G_OBJECT_CLASS (till_member_dialog_parent_class)->finalize (object);
}

static void
till_member_dialog_class_init (TillMemberDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_member_dialog_dispose;
  object_class->finalize = till_member_dialog_finalize;

  signals[SIGNAL_MEMBER_CHOSEN] =
      g_signal_new ("member-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_TOPPED_UP] =
      g_signal_new ("topped-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "member.find", "s", find_action);
  gtk_widget_class_install_action (widget_class, "member.show-find", NULL, show_find_action);
  gtk_widget_class_install_action (widget_class, "member.show-register", NULL,
                                   show_register_action);
  gtk_widget_class_install_action (widget_class, "member.register", NULL, register_action);
  gtk_widget_class_install_action (widget_class, "member.quick-amount", "x", quick_amount_action);
  gtk_widget_class_install_action (widget_class, "member.method", "s", method_action);
  gtk_widget_class_install_action (widget_class, "member.top-up", NULL, top_up_action);

  g_type_ensure (TILL_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-member-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, title_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, pages);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, find_keypad);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, phone_entry);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, birthday_entry);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, opt_out_switch);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, top_up_member_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, quick_amounts_box);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, amount_keypad);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, bonus_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, methods_box);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, register_button);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, confirm_button);
  gtk_widget_class_bind_template_callback (widget_class, find_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, register_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, top_up_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, amount_changed_cb);
}

static void
till_member_dialog_init (TillMemberDialog *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->method = g_strdup ("cash");
  self->method_buttons = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (quick_amounts); i++)
    {
      g_autofree char *label = till_ui_format_money (quick_amounts[i]);
      GtkWidget       *button = gtk_button_new_with_label (label);

      gtk_widget_set_size_request (button, -1, 56);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "member.quick-amount");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_int64 (quick_amounts[i]));
      gtk_box_append (GTK_BOX (self->quick_amounts_box), button);
    }
  for (guint i = 0; i < G_N_ELEMENTS (top_up_methods); i++)
    {
      GtkWidget *button = gtk_button_new_with_label (_ (top_up_methods[i].label));

      gtk_widget_set_size_request (button, -1, 56);
      gtk_widget_add_css_class (button, "tender-button");
      g_object_set_data (G_OBJECT (button), "method", (gpointer) top_up_methods[i].id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "member.method");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_string (top_up_methods[i].id));
      gtk_box_append (GTK_BOX (self->methods_box), button);
      g_ptr_array_add (self->method_buttons, button);
    }
  update_method_buttons (self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

static TillMemberDialog *
dialog_new (GtkWindow *parent, TillSession *session)
{
  TillMemberDialog *self = g_object_new (TILL_TYPE_MEMBER_DIALOG, NULL);

  self->session = g_object_ref (session);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  return self;
}

/**
 * till_member_dialog_new_find:
 * @parent: (nullable): the till's window
 *
 * Returns: (transfer none): the dialog, on the find page; it destroys itself
 *   when closed ("member-chosen" says whom it found or registered)
 */
TillMemberDialog *
till_member_dialog_new_find (GtkWindow *parent, TillSession *session)
{
  TillMemberDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TILL_IS_SESSION (session), NULL);

  self = dialog_new (parent, session);
  set_page (self, "find");
  return self;
}

/**
 * till_member_dialog_new_top_up:
 * @member: whose card the money goes onto (opened at the first top-up)
 *
 * Returns: (transfer none): the dialog, on the top-up page; it destroys
 *   itself when closed ("topped-up" when the money is on the card)
 */
TillMemberDialog *
till_member_dialog_new_top_up (GtkWindow *parent, TillSession *session, const TillMember *member)
{
  TillMemberDialog *self;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TILL_IS_SESSION (session), NULL);
  g_return_val_if_fail (member != NULL, NULL);

  self = dialog_new (parent, session);
  self->member_id = g_strdup (member->id);
  account = till_stored_value_find_for_member (till_session_get_store (session), member->id, NULL);
  if (account != NULL)
    {
      g_autofree char *balance = till_ui_format_money (account->balance);

      text = g_strdup_printf (_ ("%s %s · balance %s"), member->phone_masked, member->name_masked,
                              balance);
    }
  else
    text = g_strdup_printf (_ ("%s %s · the first top-up opens the card"), member->phone_masked,
                            member->name_masked);
  gtk_label_set_text (GTK_LABEL (self->top_up_member_label), text);
  set_page (self, "top-up");
  amount_changed_cb (self);
  return self;
}

void
till_member_dialog_take_code (TillMemberDialog *self, const char *code)
{
  g_return_if_fail (TILL_IS_MEMBER_DIALOG (self));
  g_return_if_fail (code != NULL);

  if (!g_str_equal (till_member_dialog_get_page (self), "find"))
    set_page (self, "find");
  till_keypad_set_text (self->find_keypad, "");
  gtk_widget_activate_action (GTK_WIDGET (self), "member.find", "s", code);
}

const char *
till_member_dialog_get_page (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->pages));
}

const char *
till_member_dialog_get_error (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->error_label));
}

TillKeypad *
till_member_dialog_get_find_keypad (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->find_keypad;
}

TillKeypad *
till_member_dialog_get_amount_keypad (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->amount_keypad;
}

GtkEditable *
till_member_dialog_get_phone_entry (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_EDITABLE (self->phone_entry);
}

GtkEditable *
till_member_dialog_get_name_entry (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_EDITABLE (self->name_entry);
}

GtkEditable *
till_member_dialog_get_birthday_entry (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_EDITABLE (self->birthday_entry);
}

GtkSwitch *
till_member_dialog_get_opt_out_switch (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_SWITCH (self->opt_out_switch);
}

const char *
till_member_dialog_get_bonus_text (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->bonus_label));
}

GtkWidget *
till_member_dialog_get_confirm_button (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->confirm_button;
}
