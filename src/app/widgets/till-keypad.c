/* till-keypad.c: the on-screen numeric keypad
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-keypad.h"

#define MASK_CHARACTER "\xe2\x97\x8f" /* ● */
#define TIMES_SIGN "\xc3\x97"         /* ×, kept as '*' in the text */

struct _TillKeypad
{
  GtkWidget parent_instance;

  GtkWidget *display_label;
  GtkWidget *decimal_button;
  GtkWidget *double_zero_button;
  GtkWidget *enter_button;

  GString *text;
  char    *placeholder;
  guint    max_length;
  gboolean masked;
  gboolean allow_decimal;
  gboolean times_key;
};

G_DEFINE_FINAL_TYPE (TillKeypad, till_keypad, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_MASKED,
  PROP_ALLOW_DECIMAL,
  PROP_MAX_LENGTH,
  PROP_ENTER_LABEL,
  PROP_PLACEHOLDER,
  PROP_TIMES_KEY,
  N_PROPS
};

enum
{
  SIGNAL_ACTIVATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void
update_display (TillKeypad *self)
{
  if (self->text->len == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->display_label),
                          self->placeholder != NULL ? self->placeholder : "");
      gtk_widget_add_css_class (self->display_label, "placeholder");
    }
  else if (self->masked)
    {
      g_autoptr (GString) dots = g_string_new (NULL);

      for (gsize i = 0; i < self->text->len; i++)
        g_string_append (dots, MASK_CHARACTER);
      gtk_label_set_text (GTK_LABEL (self->display_label), dots->str);
      gtk_widget_remove_css_class (self->display_label, "placeholder");
    }
  else
    {
      g_auto (GStrv) parts = g_strsplit (self->text->str, "*", -1);
      g_autofree char *shown = g_strjoinv (TIMES_SIGN, parts);

      gtk_label_set_text (GTK_LABEL (self->display_label), shown);
      gtk_widget_remove_css_class (self->display_label, "placeholder");
    }
}

static void
text_changed (TillKeypad *self)
{
  update_display (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static void
append_character (TillKeypad *self, char character)
{
  const char *times = strchr (self->text->str, '*');

  if (self->max_length > 0 && self->text->len >= self->max_length)
    return;
  if (character == '*')
    {
      /* One ×, after a quantity: "3×8001". */
      if (!self->times_key || times != NULL || self->text->len == 0)
        return;
    }
  else if (character == '.')
    {
      /* One decimal point, in the quantity before any ×, and "0." rather than
       * a bare "." */
      if (!self->allow_decimal || times != NULL || strchr (self->text->str, '.') != NULL)
        return;
      if (self->text->len == 0)
        g_string_append_c (self->text, '0');
    }
  g_string_append_c (self->text, character);
  text_changed (self);
}

static void
backspace (TillKeypad *self)
{
  if (self->text->len == 0)
    return;
  g_string_truncate (self->text, self->text->len - 1);
  text_changed (self);
}

static void
key_clicked_cb (TillKeypad *self, GtkButton *button)
{
  const char *label = gtk_button_get_label (button);

  if (g_strcmp0 (label, TIMES_SIGN) == 0)
    append_character (self, '*');
  else if (label != NULL && label[0] != '\0')
    {
      for (const char *p = label; *p != '\0'; p++)
        append_character (self, *p);
    }
}

static void
backspace_clicked_cb (TillKeypad *self, GtkButton *button)
{
  backspace (self);
}

static void
clear_clicked_cb (TillKeypad *self, GtkButton *button)
{
  till_keypad_clear (self);
}

static void
enter_clicked_cb (TillKeypad *self, GtkButton *button)
{
  g_signal_emit (self, signals[SIGNAL_ACTIVATE], 0);
}

static void
till_keypad_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_KEYPAD);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (till_keypad_parent_class)->dispose (object);
}

static void
till_keypad_finalize (GObject *object)
{
  TillKeypad *self = TILL_KEYPAD (object);

  g_string_free (self->text, TRUE);
  g_free (self->placeholder);
  G_OBJECT_CLASS (till_keypad_parent_class)->finalize (object);
}

static void
till_keypad_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillKeypad *self = TILL_KEYPAD (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text->str);
      break;
    case PROP_MASKED:
      g_value_set_boolean (value, self->masked);
      break;
    case PROP_ALLOW_DECIMAL:
      g_value_set_boolean (value, self->allow_decimal);
      break;
    case PROP_MAX_LENGTH:
      g_value_set_uint (value, self->max_length);
      break;
    case PROP_ENTER_LABEL:
      g_value_set_string (value, gtk_button_get_label (GTK_BUTTON (self->enter_button)));
      break;
    case PROP_PLACEHOLDER:
      g_value_set_string (value, self->placeholder);
      break;
    case PROP_TIMES_KEY:
      g_value_set_boolean (value, self->times_key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_keypad_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TillKeypad *self = TILL_KEYPAD (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      till_keypad_set_text (self, g_value_get_string (value));
      break;
    case PROP_MASKED:
      if (self->masked != g_value_get_boolean (value))
        {
          self->masked = g_value_get_boolean (value);
          update_display (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_ALLOW_DECIMAL:
      if (self->allow_decimal != g_value_get_boolean (value))
        {
          self->allow_decimal = g_value_get_boolean (value);
          gtk_widget_set_sensitive (self->decimal_button, self->allow_decimal);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_LENGTH:
      if (self->max_length != g_value_get_uint (value))
        {
          self->max_length = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_ENTER_LABEL:
      gtk_button_set_label (GTK_BUTTON (self->enter_button), g_value_get_string (value));
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_TIMES_KEY:
      if (self->times_key != g_value_get_boolean (value))
        {
          /* The × key takes the place of 00, which a quantity never needs. */
          self->times_key = g_value_get_boolean (value);
          gtk_button_set_label (GTK_BUTTON (self->double_zero_button),
                                self->times_key ? TIMES_SIGN : "00");
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_PLACEHOLDER:
      if (g_strcmp0 (self->placeholder, g_value_get_string (value)) != 0)
        {
          g_free (self->placeholder);
          self->placeholder = g_value_dup_string (value);
          update_display (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_keypad_class_init (TillKeypadClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_keypad_dispose;
  object_class->finalize = till_keypad_finalize;
  object_class->get_property = till_keypad_get_property;
  object_class->set_property = till_keypad_set_property;

  properties[PROP_TEXT] = g_param_spec_string (
      "text", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MASKED] =
      g_param_spec_boolean ("masked", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_DECIMAL] =
      g_param_spec_boolean ("allow-decimal", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_LENGTH] =
      g_param_spec_uint ("max-length", NULL, NULL, 0, 64, 16,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENTER_LABEL] =
      g_param_spec_string ("enter-label", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLACEHOLDER] =
      g_param_spec_string ("placeholder", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMES_KEY] =
      g_param_spec_boolean ("times-key", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-keypad.ui");
  gtk_widget_class_bind_template_child (widget_class, TillKeypad, display_label);
  gtk_widget_class_bind_template_child (widget_class, TillKeypad, decimal_button);
  gtk_widget_class_bind_template_child (widget_class, TillKeypad, double_zero_button);
  gtk_widget_class_bind_template_child (widget_class, TillKeypad, enter_button);
  gtk_widget_class_bind_template_callback (widget_class, key_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, backspace_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, enter_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "keypad");
}

static void
till_keypad_init (TillKeypad *self)
{
  self->text = g_string_new (NULL);
  self->max_length = 16;
  self->allow_decimal = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The screens park the keyboard focus here: typed digits then reach the
   * screen's key handler, and no button or entry takes Enter by surprise. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  update_display (self);
}

GtkWidget *
till_keypad_new (void)
{
  return g_object_new (TILL_TYPE_KEYPAD, NULL);
}

const char *
till_keypad_get_text (TillKeypad *self)
{
  g_return_val_if_fail (TILL_IS_KEYPAD (self), NULL);
  return self->text->str;
}

void
till_keypad_set_text (TillKeypad *self, const char *text)
{
  g_return_if_fail (TILL_IS_KEYPAD (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->text->str, text) == 0)
    return;
  g_string_assign (self->text, text);
  text_changed (self);
}

void
till_keypad_clear (TillKeypad *self)
{
  till_keypad_set_text (self, "");
}

gboolean
till_keypad_handle_key (TillKeypad *self, guint keyval)
{
  g_return_val_if_fail (TILL_IS_KEYPAD (self), FALSE);

  if (keyval >= GDK_KEY_0 && keyval <= GDK_KEY_9)
    append_character (self, (char) ('0' + (keyval - GDK_KEY_0)));
  else if (keyval >= GDK_KEY_KP_0 && keyval <= GDK_KEY_KP_9)
    append_character (self, (char) ('0' + (keyval - GDK_KEY_KP_0)));
  else if (keyval == GDK_KEY_period || keyval == GDK_KEY_KP_Decimal)
    append_character (self, '.');
  else if (self->times_key && (keyval == GDK_KEY_asterisk || keyval == GDK_KEY_KP_Multiply ||
                               keyval == GDK_KEY_multiply))
    append_character (self, '*');
  else if (keyval == GDK_KEY_BackSpace)
    backspace (self);
  else if (keyval == GDK_KEY_Escape || keyval == GDK_KEY_Delete)
    till_keypad_clear (self);
  else if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    g_signal_emit (self, signals[SIGNAL_ACTIVATE], 0);
  else
    return FALSE;
  return TRUE;
}
