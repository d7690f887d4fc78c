/* till-cash-count.c: counting the drawer by denomination, by touch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-cash-count.h"
#include "till-ui-util.h"
#include "widgets/till-keypad.h"

/* A drawer slot holds a few hundred pieces at most: five digits is plenty. */
#define MAX_PIECES 99999

typedef struct
{
  GtkWidget *minus;
  GtkWidget *count_button;
  GtkWidget *plus;
  GtkWidget *amount_label;
} Row;

struct _TillCashCounter
{
  GtkWidget parent_instance;

  GtkWidget  *box;
  GtkWidget  *total_label;
  TillKeypad *keypad;
  Row         rows[TILL_N_DENOMINATIONS];

  TillCashCount    count;
  TillDenomination selected;
  gboolean         setting_keypad; /* the keypad is being cleared, not typed on */
};

G_DEFINE_FINAL_TYPE (TillCashCounter, till_cash_counter, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_row (TillCashCounter *self, TillDenomination denomination)
{
  Row             *row = &self->rows[denomination];
  gint64           pieces = self->count.pieces[denomination];
  g_autofree char *text = g_strdup_printf ("%" PRId64, pieces);
  g_autofree char *amount =
      till_ui_format_money (pieces * till_denomination_get_value (denomination));

  gtk_button_set_label (GTK_BUTTON (row->count_button), text);
  /* − and + stay live (their actions decide; nought and the maximum are
   * clamped): an actionable button's sensitivity is its action's. */
  gtk_label_set_text (GTK_LABEL (row->amount_label), amount);
  if (pieces > 0)
    gtk_widget_add_css_class (row->amount_label, "cash-count-nonzero");
  else
    gtk_widget_remove_css_class (row->amount_label, "cash-count-nonzero");
}

static void
update_total (TillCashCounter *self)
{
  gint64           total = till_cash_count_get_total (&self->count);
  g_autofree char *text = total >= 0 ? till_ui_format_money (total) : g_strdup ("—");

  gtk_label_set_text (GTK_LABEL (self->total_label), text);
}

static void
set_pieces (TillCashCounter *self, TillDenomination denomination, gint64 pieces)
{
  pieces = CLAMP (pieces, 0, MAX_PIECES);
  if (self->count.pieces[denomination] == pieces)
    return;
  self->count.pieces[denomination] = pieces;
  update_row (self, denomination);
  update_total (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* The keypad types a fresh number into the row: what it showed before is
 * not appended to. */
static void
clear_keypad (TillCashCounter *self)
{
  self->setting_keypad = TRUE;
  till_keypad_clear (self->keypad);
  self->setting_keypad = FALSE;
}

static void
select_row (TillCashCounter *self, TillDenomination denomination)
{
  g_autofree char *placeholder =
      g_strdup_printf (_ ("How many of %s?"), till_denomination_get_label (denomination));

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      if (i == denomination)
        gtk_widget_add_css_class (self->rows[i].count_button, "cash-count-selected");
      else
        gtk_widget_remove_css_class (self->rows[i].count_button, "cash-count-selected");
    }
  self->selected = denomination;
  g_object_set (self->keypad, "placeholder", placeholder, NULL);
  clear_keypad (self);
}

static gboolean
denomination_from_parameter (GVariant *parameter, TillDenomination *out_denomination)
{
  guint32 value = g_variant_get_uint32 (parameter);

  if (value >= TILL_N_DENOMINATIONS)
    return FALSE;
  *out_denomination = (TillDenomination) value;
  return TRUE;
}

static void
increase_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCashCounter *self = TILL_CASH_COUNTER (widget);
  TillDenomination denomination;

  if (!denomination_from_parameter (parameter, &denomination))
    return;
  set_pieces (self, denomination, self->count.pieces[denomination] + 1);
  select_row (self, denomination);
}

static void
decrease_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCashCounter *self = TILL_CASH_COUNTER (widget);
  TillDenomination denomination;

  if (!denomination_from_parameter (parameter, &denomination))
    return;
  set_pieces (self, denomination, self->count.pieces[denomination] - 1);
  select_row (self, denomination);
}

static void
select_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCashCounter *self = TILL_CASH_COUNTER (widget);
  TillDenomination denomination;

  if (denomination_from_parameter (parameter, &denomination))
    select_row (self, denomination);
}

static void
keypad_text_cb (TillCashCounter *self)
{
  const char *text = till_keypad_get_text (self->keypad);
  guint64     pieces = 0;

  if (self->setting_keypad)
    return;
  /* Digits only (the keypad has no "."); empty is nought. */
  if (*text != '\0' && !g_ascii_string_to_unsigned (text, 10, 0, MAX_PIECES, &pieces, NULL))
    return;
  set_pieces (self, self->selected, (gint64) pieces);
}

static void
keypad_activate_cb (TillCashCounter *self)
{
  select_row (self, (self->selected + 1) % TILL_N_DENOMINATIONS);
}

/* A physical keyboard types into the selected row too. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillCashCounter       *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  return till_keypad_handle_key (self->keypad, keyval);
}

static GtkWidget *
round_button_new (const char *label, const char *action, TillDenomination denomination)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", (guint32) denomination);
  gtk_widget_set_size_request (button, 64, 52);
  gtk_widget_add_css_class (button, "cash-count-step");
  return button;
}

static GtkWidget *
build_rows (TillCashCounter *self)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 10);
  /* The amounts stay beside their rows; the keypad keeps to the right. */
  gtk_widget_set_halign (grid, GTK_ALIGN_START);
  gtk_widget_set_hexpand (grid, TRUE);
  gtk_widget_add_css_class (grid, "cash-count-rows");
  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      Row       *row = &self->rows[i];
      GtkWidget *label = gtk_label_new (till_denomination_get_label (i));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_size_request (label, 96, -1);
      gtk_widget_add_css_class (label, "cash-count-denomination");
      row->minus = round_button_new ("−", "count.decrease", i);
      gtk_widget_set_tooltip_text (row->minus, _ ("One less"));
      row->plus = round_button_new ("+", "count.increase", i);
      gtk_widget_set_tooltip_text (row->plus, _ ("One more"));
      row->count_button = gtk_button_new_with_label ("0");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row->count_button), "count.select");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row->count_button), "u", (guint32) i);
      gtk_widget_set_tooltip_text (row->count_button, _ ("Tap, then key the number"));
      gtk_widget_set_size_request (row->count_button, 110, 52);
      gtk_widget_add_css_class (row->count_button, "cash-count-field");
      gtk_widget_add_css_class (row->count_button, "numeric");
      row->amount_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (row->amount_label), 1);
      gtk_widget_set_size_request (row->amount_label, 170, -1);
      gtk_widget_add_css_class (row->amount_label, "cash-count-amount");
      gtk_widget_add_css_class (row->amount_label, "numeric");

      gtk_grid_attach (GTK_GRID (grid), label, 0, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), row->minus, 1, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), row->count_button, 2, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), row->plus, 3, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), row->amount_label, 4, (int) i, 1, 1);
    }
  return grid;
}

static GtkWidget *
build_side (TillCashCounter *self)
{
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *caption = gtk_label_new (_ ("Total counted"));

  gtk_widget_set_size_request (side, 300, -1);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "cash-count-total-caption");
  self->total_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->total_label), 1);
  gtk_widget_add_css_class (self->total_label, "cash-count-total");
  gtk_widget_add_css_class (self->total_label, "numeric");
  self->keypad = TILL_KEYPAD (till_keypad_new ());
  g_object_set (self->keypad, "allow-decimal", FALSE, "max-length", 5, "enter-label", _ ("Next"),
                NULL);
  gtk_widget_set_vexpand (GTK_WIDGET (self->keypad), TRUE);
  g_signal_connect_swapped (self->keypad, "notify::text", G_CALLBACK (keypad_text_cb), self);
  g_signal_connect_swapped (self->keypad, "activate", G_CALLBACK (keypad_activate_cb), self);

  gtk_box_append (GTK_BOX (side), caption);
  gtk_box_append (GTK_BOX (side), self->total_label);
  gtk_box_append (GTK_BOX (side), GTK_WIDGET (self->keypad));
  return side;
}

static void
till_cash_counter_dispose (GObject *object)
{
  TillCashCounter *self = TILL_CASH_COUNTER (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (till_cash_counter_parent_class)->dispose (object);
}

static void
till_cash_counter_class_init (TillCashCounterClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_cash_counter_dispose;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "count.increase", "u", increase_action);
  gtk_widget_class_install_action (widget_class, "count.decrease", "u", decrease_action);
  gtk_widget_class_install_action (widget_class, "count.select", "u", select_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cashcount");
}

static void
till_cash_counter_init (TillCashCounter *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  gtk_box_append (GTK_BOX (self->box), build_rows (self));
  gtk_box_append (GTK_BOX (self->box), build_side (self));
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    update_row (self, i);
  update_total (self);
  select_row (self, 0);
}

GtkWidget *
till_cash_counter_new (void)
{
  return g_object_new (TILL_TYPE_CASH_COUNTER, NULL);
}

void
till_cash_counter_get_count (TillCashCounter *self, TillCashCount *out_count)
{
  g_return_if_fail (TILL_IS_CASH_COUNTER (self));
  g_return_if_fail (out_count != NULL);

  *out_count = self->count;
}

void
till_cash_counter_set_count (TillCashCounter *self, const TillCashCount *count)
{
  g_return_if_fail (TILL_IS_CASH_COUNTER (self));
  g_return_if_fail (count != NULL);

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    set_pieces (self, i, count->pieces[i]);
}

void
till_cash_counter_clear (TillCashCounter *self)
{
  TillCashCount zero = { { 0 } };

  g_return_if_fail (TILL_IS_CASH_COUNTER (self));

  till_cash_counter_set_count (self, &zero);
  select_row (self, 0);
}

gint64
till_cash_counter_get_total (TillCashCounter *self)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), -1);
  return till_cash_count_get_total (&self->count);
}

const char *
till_cash_counter_get_total_text (TillCashCounter *self)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->total_label));
}

const char *
till_cash_counter_get_row_amount_text (TillCashCounter *self, TillDenomination denomination)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, NULL);
  return gtk_label_get_text (GTK_LABEL (self->rows[denomination].amount_label));
}

GtkWidget *
till_cash_counter_get_plus_button (TillCashCounter *self, TillDenomination denomination)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, NULL);
  return self->rows[denomination].plus;
}

GtkWidget *
till_cash_counter_get_minus_button (TillCashCounter *self, TillDenomination denomination)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, NULL);
  return self->rows[denomination].minus;
}

GtkWidget *
till_cash_counter_get_count_button (TillCashCounter *self, TillDenomination denomination)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, NULL);
  return self->rows[denomination].count_button;
}

GtkWidget *
till_cash_counter_get_keypad (TillCashCounter *self)
{
  g_return_val_if_fail (TILL_IS_CASH_COUNTER (self), NULL);
  return GTK_WIDGET (self->keypad);
}
