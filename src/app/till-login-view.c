/* till-login-view.c: the sign-in screen: pick your name, enter your PIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-login-view.h"
#include "widgets/till-keypad.h"

struct _TillLoginView
{
  GtkWidget parent_instance;

  GtkWidget  *users_box;
  GtkWidget  *chosen_label;
  GtkWidget  *message_label;
  TillKeypad *keypad;

  TillSession *session;
  char        *chosen_code;
};

G_DEFINE_FINAL_TYPE (TillLoginView, till_login_view, GTK_TYPE_WIDGET)

static void
set_message (TillLoginView *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
}

static void
tile_toggled_cb (GtkToggleButton *tile, TillLoginView *self)
{
  if (!gtk_toggle_button_get_active (tile))
    return;
  g_free (self->chosen_code);
  self->chosen_code = g_strdup (g_object_get_data (G_OBJECT (tile), "user-code"));
  gtk_label_set_text (GTK_LABEL (self->chosen_label),
                      g_object_get_data (G_OBJECT (tile), "user-name"));
  gtk_widget_remove_css_class (self->chosen_label, "dim-label");
  till_keypad_clear (self->keypad);
  set_message (self, NULL);
}

static void
keypad_activate_cb (TillLoginView *self, TillKeypad *keypad)
{
  const char *pin = till_keypad_get_text (keypad);

  if (self->chosen_code == NULL)
    {
      till_login_view_show_error (self, _ ("Tap your name first."));
      return;
    }
  if (*pin == '\0')
    {
      till_login_view_show_error (self, _ ("Enter your PIN."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.login", "(ss)", self->chosen_code, pin);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillLoginView         *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  return till_keypad_handle_key (self->keypad, keyval);
}

static GtkWidget *
user_tile_new (TillUser *user)
{
  GtkWidget *tile = gtk_toggle_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *name_label = gtk_label_new (till_user_get_name (user));
  GtkWidget *role_label = gtk_label_new (till_role_get_label (till_user_get_role (user)));

  gtk_widget_add_css_class (name_label, "user-name");
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (role_label, "user-role");
  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), role_label);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_button_set_child (GTK_BUTTON (tile), box);
  gtk_widget_add_css_class (tile, "user-tile");
  g_object_set_data_full (G_OBJECT (tile), "user-code", g_strdup (till_user_get_code (user)),
                          g_free);
  g_object_set_data_full (G_OBJECT (tile), "user-name", g_strdup (till_user_get_name (user)),
                          g_free);
  return tile;
}

static void
till_login_view_dispose (GObject *object)
{
  TillLoginView *self = TILL_LOGIN_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_LOGIN_VIEW);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->session);
  g_clear_pointer (&self->chosen_code, g_free);
  G_OBJECT_CLASS (till_login_view_parent_class)->dispose (object);
}

static void
till_login_view_class_init (TillLoginViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_login_view_dispose;

  g_type_ensure (TILL_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-login-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillLoginView, users_box);
  gtk_widget_class_bind_template_child (widget_class, TillLoginView, chosen_label);
  gtk_widget_class_bind_template_child (widget_class, TillLoginView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillLoginView, keypad);
  gtk_widget_class_bind_template_callback (widget_class, keypad_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "loginview");
}

static void
till_login_view_init (TillLoginView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Capture, so that digits reach the PIN whichever tile has the focus. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  set_message (self, NULL);
}

void
till_login_view_set_session (TillLoginView *self, TillSession *session)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget       *child;
  GtkToggleButton *group = NULL;

  g_return_if_fail (TILL_IS_LOGIN_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));

  g_set_object (&self->session, session);

  while ((child = gtk_widget_get_first_child (self->users_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->users_box), child);

  users = till_user_list_active (till_session_get_store (session), &error);
  if (users == NULL)
    {
      g_warning ("Cannot list the users: %s", error->message);
      set_message (self, error->message);
      return;
    }
  for (guint i = 0; i < users->len; i++)
    {
      GtkWidget *tile = user_tile_new (g_ptr_array_index (users, i));

      if (group != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (tile), group);
      else
        group = GTK_TOGGLE_BUTTON (tile);
      g_signal_connect (tile, "toggled", G_CALLBACK (tile_toggled_cb), self);
      gtk_flow_box_append (GTK_FLOW_BOX (self->users_box), tile);
    }
}

void
till_login_view_reset (TillLoginView *self)
{
  g_return_if_fail (TILL_IS_LOGIN_VIEW (self));
  till_keypad_clear (self->keypad);
  set_message (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->keypad));
}

void
till_login_view_show_error (TillLoginView *self, const char *message)
{
  g_return_if_fail (TILL_IS_LOGIN_VIEW (self));
  till_keypad_clear (self->keypad);
  set_message (self, message);
}

const char *
till_login_view_get_message (TillLoginView *self)
{
  g_return_val_if_fail (TILL_IS_LOGIN_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->message_label));
}
