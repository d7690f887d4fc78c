/* till-override-dialog.c: a supervisor approves one act on the spot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-override-dialog.h"
#include "till-scan-detector.h"
#include "widgets/till-keypad.h"

struct _TillOverrideDialog
{
  GtkWindow parent_instance;

  GtkWidget  *title_label;
  GtkWidget  *message_label;
  GtkWidget  *reasons_caption;
  GtkWidget  *reasons_box;
  GtkWidget  *code_label;
  GtkWidget  *pin_label;
  GtkWidget  *error_label;
  TillKeypad *keypad;

  TillScanDetector *scan_detector;
  GPtrArray        *reason_buttons;
  char             *reason;
  char             *code;   /* keyed; NULL while the keypad still takes it */
  char             *secret; /* the PIN, or the badge */
  gboolean          badge;
};

G_DEFINE_FINAL_TYPE (TillOverrideDialog, till_override_dialog, GTK_TYPE_WINDOW)

enum
{
  SIGNAL_APPROVED,
  SIGNAL_CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct
{
  const char *code;
  const char *label;
} reasons[] = {
  { TILL_REASON_CUSTOMER_CHANGED_MIND, N_ ("Customer changed mind") },
  { TILL_REASON_WRONG_ITEM, N_ ("Wrong item scanned") },
  { TILL_REASON_PRICE_ERROR, N_ ("Price error") },
  { TILL_REASON_DAMAGED, N_ ("Damaged goods") },
  { TILL_REASON_OTHER, N_ ("Other") },
};

static void
update_credentials (TillOverrideDialog *self)
{
  gtk_label_set_text (GTK_LABEL (self->code_label), self->code != NULL ? self->code : "—");
  if (self->badge)
    gtk_label_set_text (GTK_LABEL (self->pin_label), _ ("Badge scanned"));
  else if (self->secret != NULL)
    gtk_label_set_text (GTK_LABEL (self->pin_label), "••••");
  else
    gtk_label_set_text (GTK_LABEL (self->pin_label), "—");
  /* The keypad takes the code first, then the PIN (masked). */
  g_object_set (self->keypad, "masked", self->code != NULL, "enter-label",
                self->code != NULL ? _ ("Approve") : _ ("Next"), "placeholder",
                self->code != NULL ? _ ("Supervisor PIN") : _ ("Supervisor code"), NULL);
}

static void
set_error (TillOverrideDialog *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->error_label, message != NULL && *message != '\0');
}

static void
reset_credentials (TillOverrideDialog *self)
{
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->secret, g_free);
  self->badge = FALSE;
  till_keypad_clear (self->keypad);
  update_credentials (self);
}

static void
reason_toggled_cb (GtkToggleButton *button, TillOverrideDialog *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  g_free (self->reason);
  self->reason = g_strdup (g_object_get_data (G_OBJECT (button), "reason-code"));
}

static void
approve_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillOverrideDialog *self = TILL_OVERRIDE_DIALOG (widget);
  TillOverride        override;

  if (!till_override_dialog_get_override (self, &override))
    return;
  g_signal_emit (self, signals[SIGNAL_APPROVED], 0);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillOverrideDialog *self = TILL_OVERRIDE_DIALOG (widget);

  g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_reason_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillOverrideDialog *self = TILL_OVERRIDE_DIALOG (widget);
  const char         *code = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < self->reason_buttons->len; i++)
    {
      GtkToggleButton *button = g_ptr_array_index (self->reason_buttons, i);

      if (g_str_equal (g_object_get_data (G_OBJECT (button), "reason-code"), code))
        gtk_toggle_button_set_active (button, TRUE);
    }
}

static void
keypad_activate_cb (TillOverrideDialog *self, TillKeypad *keypad)
{
  g_autofree char *text = g_strdup (till_keypad_get_text (keypad));

  if (self->code == NULL)
    {
      if (*text == '\0')
        {
          set_error (self, _ ("Key the supervisor's code first."));
          return;
        }
      self->code = g_steal_pointer (&text);
      till_keypad_clear (keypad);
      set_error (self, NULL);
      update_credentials (self);
      return;
    }
  if (*text != '\0')
    {
      g_free (self->secret);
      self->secret = g_steal_pointer (&text);
      self->badge = FALSE;
      till_keypad_clear (keypad);
      update_credentials (self);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "override.approve", NULL);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillOverrideDialog    *self)
{
  guint32 time_ms = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (controller));
  gunichar       character = gdk_keyval_to_unicode (keyval);
  TillScanAction action = TILL_SCAN_PASS;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_Escape)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "override.cancel", NULL);
      return TRUE;
    }
  /* A badge scanner types fast and ends with Enter: that is a badge, not a PIN. */
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    action = till_scan_detector_feed_enter (self->scan_detector, time_ms);
  else if (character != 0 && g_unichar_isprint (character))
    action = till_scan_detector_feed_char (self->scan_detector, character, time_ms);
  else
    till_scan_detector_feed_other (self->scan_detector, time_ms);
  if (action == TILL_SCAN_COMPLETE)
    {
      g_autofree char *badge = till_scan_detector_take_code (self->scan_detector);
      const char      *typed = till_keypad_get_text (self->keypad);
      gsize            typed_len = strlen (typed);
      gsize            badge_len = strlen (badge);

      /* Its digits reached the keypad before Enter showed they were a scan. */
      if (typed_len >= badge_len && strcmp (typed + typed_len - badge_len, badge) == 0)
        {
          g_autofree char *kept = g_strndup (typed, typed_len - badge_len);
          till_keypad_set_text (self->keypad, kept);
        }
      till_override_dialog_take_badge (self, badge);
      return TRUE;
    }
  return till_keypad_handle_key (self->keypad, keyval);
}

static void
till_override_dialog_finalize (GObject *object)
{
  TillOverrideDialog *self = TILL_OVERRIDE_DIALOG (object);

  g_clear_pointer (&self->scan_detector, till_scan_detector_free);
  g_clear_pointer (&self->reason_buttons, g_ptr_array_unref);
  g_free (self->reason);
  g_free (self->code);
  g_free (self->secret);
  G_OBJECT_CLASS (till_override_dialog_parent_class)->finalize (object);
}

static void
till_override_dialog_class_init (TillOverrideDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = till_override_dialog_finalize;

  signals[SIGNAL_APPROVED] = g_signal_new ("approved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "override.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "override.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "override.set-reason", "s", set_reason_action);
  g_type_ensure (TILL_TYPE_KEYPAD);
}

static GtkWidget *
caption_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
till_override_dialog_init (TillOverrideDialog *self)
{
  GtkWidget          *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget          *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  GtkWidget          *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget          *grid = gtk_grid_new ();
  GtkWidget          *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget          *hint;
  GtkWidget          *button;
  GtkEventController *keys;
  GtkToggleButton    *group = NULL;

  self->reason_buttons = g_ptr_array_new ();
  self->scan_detector =
      till_scan_detector_new (TILL_SCAN_DEFAULT_MAX_GAP_MS, TILL_SCAN_DEFAULT_MIN_LENGTH);

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _ ("Supervisor approval"));
  gtk_widget_add_css_class (GTK_WIDGET (self), "till");
  gtk_widget_add_css_class (GTK_WIDGET (self), "override-dialog");

  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 20);
  gtk_widget_set_margin_bottom (box, 20);

  self->title_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title_label), 0);
  gtk_widget_add_css_class (self->title_label, "title-2");
  gtk_box_append (GTK_BOX (box), self->title_label);

  self->message_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->message_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->message_label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->message_label), 50);
  gtk_box_append (GTK_BOX (box), self->message_label);

  self->reasons_caption = caption_new (_ ("Reason"));
  gtk_box_append (GTK_BOX (box), self->reasons_caption);
  self->reasons_box = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->reasons_box), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (self->reasons_box), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->reasons_box), 3);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->reasons_box), 3);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->reasons_box), 6);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->reasons_box), 6);
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      GtkWidget *reason = gtk_toggle_button_new_with_label (_ (reasons[i].label));

      gtk_widget_set_size_request (reason, -1, 56);
      g_object_set_data (G_OBJECT (reason), "reason-code", (gpointer) reasons[i].code);
      if (group != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (reason), group);
      else
        group = GTK_TOGGLE_BUTTON (reason);
      g_signal_connect (reason, "toggled", G_CALLBACK (reason_toggled_cb), self);
      g_ptr_array_add (self->reason_buttons, reason);
      gtk_flow_box_append (GTK_FLOW_BOX (self->reasons_box), reason);
    }
  gtk_box_append (GTK_BOX (box), self->reasons_box);

  /* Left: who approves; right: the keypad. */
  gtk_widget_set_hexpand (left, TRUE);
  hint = gtk_label_new (_ ("The supervisor keys their code and taps Next, then enters their PIN "
                           "or scans their badge."));
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (hint), 28);
  gtk_box_append (GTK_BOX (left), hint);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_attach (GTK_GRID (grid), caption_new (_ ("Supervisor code")), 0, 0, 1, 1);
  self->code_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->code_label), 0);
  gtk_widget_add_css_class (self->code_label, "title-3");
  gtk_grid_attach (GTK_GRID (grid), self->code_label, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), caption_new (_ ("PIN or badge")), 0, 1, 1, 1);
  self->pin_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->pin_label), 0);
  gtk_widget_add_css_class (self->pin_label, "title-3");
  gtk_grid_attach (GTK_GRID (grid), self->pin_label, 1, 1, 1, 1);
  gtk_box_append (GTK_BOX (left), grid);
  button = gtk_button_new_with_label (_ ("Start again"));
  gtk_widget_set_size_request (button, -1, 56);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (reset_credentials), self);
  gtk_box_append (GTK_BOX (left), button);
  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->error_label), 28);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (left), self->error_label);
  gtk_box_append (GTK_BOX (columns), left);

  self->keypad = TILL_KEYPAD (till_keypad_new ());
  g_object_set (self->keypad, "allow-decimal", FALSE, "max-length", 16, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->keypad), 300, 360);
  g_signal_connect_swapped (self->keypad, "activate", G_CALLBACK (keypad_activate_cb), self);
  gtk_box_append (GTK_BOX (columns), GTK_WIDGET (self->keypad));
  gtk_box_append (GTK_BOX (box), columns);

  gtk_box_set_homogeneous (GTK_BOX (buttons), TRUE);
  button = gtk_button_new_with_label (_ ("Cancel"));
  gtk_widget_set_size_request (button, -1, 56);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "override.cancel");
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_label (_ ("Approve"));
  gtk_widget_set_size_request (button, -1, 56);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "override.approve");
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_window_set_child (GTK_WINDOW (self), box);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  update_credentials (self);
}

/**
 * till_override_dialog_new:
 * @title: what needs approval (the permission's label)
 * @message: why (the core's refusal)
 * @default_reason: the reason code chosen at first, or NULL
 *
 * Returns: (transfer none): the dialog, presented over @parent; it owns itself
 * until it is closed.
 */
TillOverrideDialog *
till_override_dialog_new (GtkWindow  *parent,
                          const char *title,
                          const char *message,
                          const char *default_reason)
{
  TillOverrideDialog *self = g_object_new (TILL_TYPE_OVERRIDE_DIALOG, NULL);
  g_autofree char    *heading = g_strdup_printf (_ ("Supervisor approval: %s"), title);

  if (parent != NULL)
    {
      /* Not added to the application: its active window stays the till's, so
       * that forwarded actions still reach the sale behind the dialog. */
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
    }
  gtk_label_set_text (GTK_LABEL (self->title_label), heading);
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_activate_action (GTK_WIDGET (self), "override.set-reason", "s",
                              default_reason != NULL ? default_reason : TILL_REASON_OTHER);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->keypad));
  return self;
}

gboolean
till_override_dialog_get_override (TillOverrideDialog *self, TillOverride *out_override)
{
  g_return_val_if_fail (TILL_IS_OVERRIDE_DIALOG (self), FALSE);
  g_return_val_if_fail (out_override != NULL, FALSE);

  if (self->reason == NULL)
    {
      set_error (self, _ ("Choose a reason."));
      return FALSE;
    }
  if (self->code == NULL || self->secret == NULL)
    {
      set_error (self, _ ("The supervisor's code and PIN or badge are needed."));
      return FALSE;
    }
  out_override->supervisor_code = self->code;
  out_override->supervisor_secret = self->secret;
  out_override->badge = self->badge;
  out_override->reason = self->reason;
  return TRUE;
}

/**
 * till_override_dialog_set_given_reason:
 * @reason: the act's own reason, already given on the screen that asks
 *
 * For acts whose screen asks the reason itself (a cash variance, a payout):
 * the reason chips, which name the reasons of sale acts, are hidden and the
 * approval carries @reason.
 */
void
till_override_dialog_set_given_reason (TillOverrideDialog *self, const char *reason)
{
  g_return_if_fail (TILL_IS_OVERRIDE_DIALOG (self));
  g_return_if_fail (reason != NULL && *reason != '\0');

  g_free (self->reason);
  self->reason = g_strdup (reason);
  gtk_widget_set_visible (self->reasons_caption, FALSE);
  gtk_widget_set_visible (self->reasons_box, FALSE);
}

const char *
till_override_dialog_get_reason (TillOverrideDialog *self)
{
  g_return_val_if_fail (TILL_IS_OVERRIDE_DIALOG (self), NULL);
  return self->reason;
}

void
till_override_dialog_set_credentials (TillOverrideDialog *self, const char *code, const char *pin)
{
  g_return_if_fail (TILL_IS_OVERRIDE_DIALOG (self));
  g_return_if_fail (code != NULL && pin != NULL);

  g_free (self->code);
  self->code = g_strdup (code);
  g_free (self->secret);
  self->secret = g_strdup (pin);
  self->badge = FALSE;
  till_keypad_clear (self->keypad);
  update_credentials (self);
}

/* A badge needs the supervisor's code keyed before it: that names the user. */
void
till_override_dialog_take_badge (TillOverrideDialog *self, const char *badge)
{
  g_return_if_fail (TILL_IS_OVERRIDE_DIALOG (self));
  g_return_if_fail (badge != NULL);

  if (self->code == NULL && till_keypad_get_text (self->keypad)[0] != '\0')
    {
      self->code = g_strdup (till_keypad_get_text (self->keypad));
      till_keypad_clear (self->keypad);
    }
  if (self->code == NULL)
    {
      set_error (self, _ ("Key the supervisor's code first, then scan the badge."));
      return;
    }
  g_free (self->secret);
  self->secret = g_strdup (badge);
  self->badge = TRUE;
  set_error (self, NULL);
  update_credentials (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "override.approve", NULL);
}

/* The approval was refused (wrong PIN, may not approve): say so and start over. */
void
till_override_dialog_show_error (TillOverrideDialog *self, const char *message)
{
  g_return_if_fail (TILL_IS_OVERRIDE_DIALOG (self));
  reset_credentials (self);
  set_error (self, message);
  gtk_widget_error_bell (GTK_WIDGET (self));
}

const char *
till_override_dialog_get_error (TillOverrideDialog *self)
{
  g_return_val_if_fail (TILL_IS_OVERRIDE_DIALOG (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->error_label));
}
