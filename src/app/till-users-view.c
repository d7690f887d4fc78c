/* till-users-view.c: the manager's screen for users, roles, permissions and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-users-view.h"

/* The roles whose rights a manager edits; an admin always has every right. */
#define N_EDITABLE_ROLES 3

struct _TillUsersView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget *message_label;
  GtkWidget *mode_stack;
  GtkWidget *refused_label;
  GtkWidget *tab_stack;
  GtkWidget *user_list;
  GtkWidget *detail_stack;
  GtkWidget *edit_title;
  GtkWidget *name_entry;
  GtkWidget *edit_role_box;
  GtkWidget *limits_title;
  GtkWidget *discount_entry;
  GtkWidget *price_entry;
  GtkWidget *refund_entry;
  GtkWidget *pin_entry;
  GtkWidget *pin_again_entry;
  GtkWidget *badge_entry;
  GtkWidget *badge_state;
  GtkWidget *remove_badge_button;
  GtkWidget *deactivate_button;
  GtkWidget *reactivate_button;
  GtkWidget *add_code_entry;
  GtkWidget *add_name_entry;
  GtkWidget *add_role_box;
  GtkWidget *add_pin_entry;
  GtkWidget *add_pin_again_entry;
  GtkWidget *permission_grid;

  TillSession *session;
  char        *message;
  char        *selected;     /* the code of the user in the edit form, or NULL */
  GHashTable  *state_labels; /* code → the list row's state GtkLabel (borrowed) */
  GtkWidget   *edit_role_buttons[TILL_ROLE_ADMIN + 1];
  GtkWidget   *add_role_buttons[TILL_ROLE_ADMIN + 1];
  TillRole     add_role;
  /* [permission][role]: the permission grid's toggles */
  GtkWidget *permission_toggles[TILL_N_PERMISSIONS][N_EDITABLE_ROLES];
  gboolean   filling; /* toggles are being set from the store, not by a finger */
};

G_DEFINE_FINAL_TYPE (TillUsersView, till_users_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (TillUsersView *self);

static void
set_message (TillUsersView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, *self->message != '\0');
  gtk_widget_remove_css_class (self->message_label, "status-error");
  gtk_widget_remove_css_class (self->message_label, "status-info");
  gtk_widget_add_css_class (self->message_label, is_error ? "status-error" : "status-info");
}

static TillStore *
get_store (TillUsersView *self)
{
  return till_session_get_store (self->session);
}

static const char *
actor_code (TillUsersView *self)
{
  TillUser *user = self->session != NULL ? till_session_get_user (self->session) : NULL;

  return user != NULL ? till_user_get_code (user) : NULL;
}

/* "20" for 2000 basis points or fen, "12.5" for 1250: what a manager types. */
static char *
format_hundredths (gint64 value)
{
  if (value % 100 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, value / 100);
  if (value % 10 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%d", value / 100, (int) (value % 100) / 10);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", value / 100, (int) (value % 100));
}

/* An empty field is "no limit" (-1); otherwise a figure with up to two decimals,
 * in hundredths: basis points for a percentage, fen for yuan. */
static gboolean
parse_limit (const char *text, const char *what, gint64 *out_value, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (*trimmed == '\0')
    {
      *out_value = -1;
      return TRUE;
    }
  if (!till_money_parse (trimmed, out_value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("“%s” is not a figure for %s: type a number, or leave it empty for no limit"),
                   trimmed, what);
      return FALSE;
    }
  return TRUE;
}

static char *
describe_state (const TillUserInfo *info, gboolean *out_locked)
{
  *out_locked = FALSE;
  if (!info->active)
    return g_strdup (_ ("Inactive"));
  if (info->locked_until_us != 0)
    {
      g_autoptr (GDateTime) until =
          g_date_time_new_from_unix_local (info->locked_until_us / G_USEC_PER_SEC);
      g_autofree char *hhmm = until != NULL ? g_date_time_format (until, "%H:%M") : g_strdup ("?");

      *out_locked = TRUE;
      return g_strdup_printf (_ ("Locked until %s"), hhmm);
    }
  return g_strdup (_ ("Active"));
}

/* ---- Making a change ------------------------------------------------------ */

/* Every change runs in one transaction that first checks, as the core reads
 * it now, that the signed-in user may manage users: a manager demoted or
 * deactivated meanwhile changes nothing. */
static gboolean
begin_change (TillUsersView *self, GError **error)
{
  if (self->session == NULL || actor_code (self) == NULL)
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED,
                   _ ("Only a manager can manage users; sign in as a manager"));
      return FALSE;
    }
  if (!till_store_begin (get_store (self), error))
    return FALSE;
  if (!till_user_check_may_manage (get_store (self), actor_code (self), error))
    {
      till_store_rollback (get_store (self));
      return FALSE;
    }
  return TRUE;
}

/* Ends what begin_change() started: commits when @ok, else rolls back. Shows
 * @done (success) or the error, and refreshes the screen. */
static gboolean
end_change (TillUsersView *self, gboolean ok, GError *error, const char *done)
{
  g_autoptr (GError) commit_error = NULL;

  if (ok && !till_store_commit (get_store (self), &commit_error))
    {
      ok = FALSE;
      error = commit_error;
    }
  else if (!ok)
    till_store_rollback (get_store (self));
  refresh (self);
  if (ok)
    set_message (self, done, FALSE);
  else
    set_message (self, error != NULL ? error->message : _ ("The change failed"), TRUE);
  return ok;
}

/* begin_change() failed: nothing to end; show why. */
static gboolean
refuse (TillUsersView *self, GError *error)
{
  set_message (self, error->message, TRUE);
  return FALSE;
}

/* The user's name for messages, or their code when there is no such user. */
static char *
dup_user_name (TillUsersView *self, const char *code)
{
  g_autoptr (TillUserInfo) info = till_user_get_info (get_store (self), code, NULL);

  return g_strdup (info != NULL ? info->name : code);
}

static gboolean
do_create (TillUsersView *self,
           const char    *code,
           const char    *name,
           TillRole       role,
           const char    *pin,
           const char    *pin_again)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code_text = g_strstrip (g_strdup (code));
  g_autofree char *name_text = g_strstrip (g_strdup (name));
  g_autofree char *done = NULL;
  gboolean         ok;

  if (g_strcmp0 (pin, pin_again) != 0)
    {
      set_message (self, _ ("The two PINs differ: type the same PIN twice"), TRUE);
      return FALSE;
    }
  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_create_journaled (get_store (self), till_session_get_journal (self->session),
                                   actor_code (self), code_text, name_text, role, pin, &error) != 0;
  done = g_strdup_printf (_ ("%s (%s) was added as %s"), name_text, code_text,
                          till_role_get_label (role));
  if (!end_change (self, ok, error, done))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->add_code_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->add_name_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->add_pin_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->add_pin_again_entry), "");
  till_users_view_select (self, code_text);
  set_message (self, done, FALSE);
  return TRUE;
}

static gboolean
do_unlock (TillUsersView *self, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = dup_user_name (self, code);
  g_autofree char *done = g_strdup_printf (_ ("%s is unlocked"), name);
  gboolean         ok;

  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_unlock (get_store (self), till_session_get_journal (self->session),
                         actor_code (self), code, &error);
  return end_change (self, ok, error, done);
}

static gboolean
do_set_role (TillUsersView *self, const char *code, TillRole role)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *shown = dup_user_name (self, code);
  g_autofree char *done = g_strdup_printf (_ ("%s is now a %s"), shown, till_role_get_label (role));
  gboolean         ok;

  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_set_role (get_store (self), till_session_get_journal (self->session),
                           actor_code (self), code, role, &error);
  return end_change (self, ok, error, done);
}

static gboolean
do_set_name (TillUsersView *self, const char *code, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *done = g_strdup_printf (_ ("The name of %s is now %s"), code, name);
  gboolean         ok;

  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_set_name (get_store (self), till_session_get_journal (self->session),
                           actor_code (self), code, name, &error);
  return end_change (self, ok, error, done);
}

/* @discount, @price, @refund as typed; all NULL: the role's defaults. */
static gboolean
do_set_limits (TillUsersView *self,
               const char    *code,
               const char    *discount,
               const char    *price,
               const char    *refund)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autofree char *done = NULL;
  TillUserLimits   limits;
  gint64           discount_bp = -1, price_fen = -1, refund_fen = -1;
  gboolean         role_default = discount == NULL && price == NULL && refund == NULL;
  gboolean         ok;

  if (!role_default &&
      (!parse_limit (discount != NULL ? discount : "", _ ("the discount"), &discount_bp, &error) ||
       !parse_limit (price != NULL ? price : "", _ ("the price change"), &price_fen, &error) ||
       !parse_limit (refund != NULL ? refund : "", _ ("the refund"), &refund_fen, &error)))
    return refuse (self, error);
  if (discount_bp > 10000)
    {
      set_message (self, _ ("A discount limit is at most 100 %"), TRUE);
      return FALSE;
    }
  limits.max_line_discount_bp = (int) discount_bp;
  limits.max_price_override = price_fen;
  limits.max_refund = refund_fen;

  if (!begin_change (self, &error))
    return refuse (self, error);
  user = till_user_lookup (get_store (self), code, &error);
  ok = user != NULL &&
       till_user_set_limits (get_store (self), till_session_get_journal (self->session),
                             actor_code (self), user, role_default ? NULL : &limits, &error);
  done = g_strdup_printf (role_default ? _ ("%s has the role's limits again")
                                       : _ ("The limits of %s are saved"),
                          user != NULL ? till_user_get_name (user) : code);
  return end_change (self, ok, error, done);
}

static gboolean
do_reset_pin (TillUsersView *self, const char *code, const char *pin, const char *pin_again)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = dup_user_name (self, code);
  g_autofree char *done = g_strdup_printf (_ ("%s has a new PIN"), name);
  gboolean         ok;

  if (g_strcmp0 (pin, pin_again) != 0)
    {
      set_message (self, _ ("The two PINs differ: type the same PIN twice"), TRUE);
      return FALSE;
    }
  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_reset_pin (get_store (self), till_session_get_journal (self->session),
                            actor_code (self), code, pin, &error);
  if (!end_change (self, ok, error, done))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_again_entry), "");
  return TRUE;
}

/* @badge NULL removes it. */
static gboolean
do_set_badge (TillUsersView *self, const char *code, const char *badge)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *shown = dup_user_name (self, code);
  g_autofree char *done = g_strdup_printf (
      badge != NULL ? _ ("%s has a new badge") : _ ("The badge of %s is removed"), shown);
  gboolean ok;

  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_set_badge (get_store (self), till_session_get_journal (self->session),
                            actor_code (self), code, badge, &error);
  if (!end_change (self, ok, error, done))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->badge_entry), "");
  return TRUE;
}

static gboolean
do_set_active (TillUsersView *self, const char *code, gboolean active)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *shown = dup_user_name (self, code);
  g_autofree char *done = g_strdup_printf (
      active ? _ ("%s is active again") : _ ("%s is deactivated and cannot sign in"), shown);
  gboolean ok;

  if (!begin_change (self, &error))
    return refuse (self, error);
  ok = till_user_set_active (get_store (self), till_session_get_journal (self->session),
                             actor_code (self), code, active, &error);
  return end_change (self, ok, error, done);
}

static gboolean
do_set_permission (TillUsersView *self, TillRole role, TillPermission permission, gboolean allowed)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *done = g_strdup_printf (
      allowed ? _ ("%s: “%s” is now allowed") : _ ("%s: “%s” is no longer allowed"),
      till_role_get_label (role), till_permission_get_label (permission));
  gboolean ok;

  if (!begin_change (self, &error))
    {
      refresh (self); /* put the toggle back */
      return refuse (self, error);
    }
  ok = till_permission_role_set (get_store (self), till_session_get_journal (self->session),
                                 actor_code (self), role, permission, allowed, &error);
  return end_change (self, ok, error, done);
}

/* ---- Filling the screen from the store ------------------------------------ */

static GtkWidget *
new_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* One row: name, code and role; the state; Unlock while locked. */
static GtkWidget *
new_user_row (TillUsersView *self, const TillUserInfo *info)
{
  GtkWidget       *row = gtk_list_box_row_new ();
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget       *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget       *state;
  GtkWidget       *unlock;
  gboolean         locked;
  g_autofree char *state_text = describe_state (info, &locked);
  g_autofree char *detail =
      g_strdup_printf ("%s · %s", info->code, till_role_get_label (info->role));

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_size_request (box, -1, 56);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (text), new_label (info->name, "heading"));
  gtk_box_append (GTK_BOX (text), new_label (detail, "dim-label"));
  gtk_box_append (GTK_BOX (box), text);

  state = new_label (state_text, locked || !info->active ? "error" : NULL);
  if (!info->active)
    {
      gtk_widget_remove_css_class (state, "error");
      gtk_widget_add_css_class (state, "dim-label");
    }
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), state);
  g_hash_table_insert (self->state_labels, g_strdup (info->code), state);

  unlock = gtk_button_new_with_label (_ ("Unlock"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (unlock), "users.unlock");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (unlock), "s", info->code);
  gtk_widget_set_valign (unlock, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (unlock, 96, 48);
  gtk_widget_set_visible (unlock, locked);
  gtk_box_append (GTK_BOX (box), unlock);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "user-code", g_strdup (info->code), g_free);
  return row;
}

static void
fill_list (TillUsersView *self, GPtrArray *users)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->state_labels);
  while ((child = gtk_widget_get_first_child (self->user_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->user_list), child);
  for (guint i = 0; i < users->len; i++)
    {
      const TillUserInfo *info = users->pdata[i];
      GtkWidget          *row = new_user_row (self, info);

      gtk_list_box_append (GTK_LIST_BOX (self->user_list), row);
      if (g_strcmp0 (info->code, self->selected) == 0)
        gtk_list_box_select_row (GTK_LIST_BOX (self->user_list), GTK_LIST_BOX_ROW (row));
    }
}

static void
highlight_role (GtkWidget *const *buttons, TillRole role)
{
  for (guint i = 0; i <= TILL_ROLE_ADMIN; i++)
    {
      if (i == role)
        gtk_widget_add_css_class (buttons[i], "suggested-action");
      else
        gtk_widget_remove_css_class (buttons[i], "suggested-action");
    }
}

static void
fill_edit_form (TillUsersView *self, const TillUserInfo *info)
{
  g_autofree char *title = g_strdup_printf ("%s · %s", info->name, info->code);
  g_autofree char *discount = NULL;
  g_autofree char *price = NULL;
  g_autofree char *refund = NULL;

  gtk_label_set_text (GTK_LABEL (self->edit_title), title);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), info->name);
  highlight_role (self->edit_role_buttons, info->role);
  gtk_label_set_text (GTK_LABEL (self->limits_title), info->own_limits
                                                          ? _ ("Limits: this user's own")
                                                          : _ ("Limits: the role's defaults"));
  /* An empty field shows "No limit" (the placeholder). */
  discount = info->max_line_discount_bp >= 0 ? format_hundredths (info->max_line_discount_bp)
                                             : g_strdup ("");
  price =
      info->max_price_override >= 0 ? format_hundredths (info->max_price_override) : g_strdup ("");
  refund = info->max_refund >= 0 ? format_hundredths (info->max_refund) : g_strdup ("");
  gtk_editable_set_text (GTK_EDITABLE (self->discount_entry), discount);
  gtk_editable_set_text (GTK_EDITABLE (self->price_entry), price);
  gtk_editable_set_text (GTK_EDITABLE (self->refund_entry), refund);
  gtk_label_set_text (GTK_LABEL (self->badge_state),
                      info->has_badge ? _ ("A badge is set") : _ ("No badge"));
  gtk_widget_set_sensitive (self->remove_badge_button, info->has_badge);
  gtk_widget_set_visible (self->deactivate_button, info->active);
  gtk_widget_set_visible (self->reactivate_button, !info->active);
  /* An inactive user's details wait until they are reactivated. */
  gtk_widget_set_sensitive (self->name_entry, info->active);
  gtk_widget_set_sensitive (self->edit_role_box, info->active);
}

static void
fill_permissions (TillUsersView *self)
{
  self->filling = TRUE;
  for (guint p = 0; p < TILL_N_PERMISSIONS; p++)
    for (guint r = 0; r < N_EDITABLE_ROLES; r++)
      {
        GtkWidget *toggle = self->permission_toggles[p][r];
        gboolean   allowed = till_permission_role_has (get_store (self), r, p);

        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), allowed);
        gtk_button_set_label (GTK_BUTTON (toggle), allowed ? _ ("Allowed") : _ ("Not allowed"));
        /* Checked alone is a faint grey: allowed must stand out at a glance. */
        if (allowed)
          gtk_widget_add_css_class (toggle, "suggested-action");
        else
          gtk_widget_remove_css_class (toggle, "suggested-action");
      }
  self->filling = FALSE;
}

/* Reads everything again: after each change, so the screen shows the store. */
static void
refresh (TillUsersView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  const char *detail = gtk_stack_get_visible_child_name (GTK_STACK (self->detail_stack));

  if (self->session == NULL)
    return;
  users = till_user_list (get_store (self), &error);
  if (users == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  fill_list (self, users);
  fill_permissions (self);
  if (self->selected != NULL && g_strcmp0 (detail, "edit") == 0)
    {
      for (guint i = 0; i < users->len; i++)
        {
          const TillUserInfo *info = users->pdata[i];

          if (g_str_equal (info->code, self->selected))
            fill_edit_form (self, info);
        }
    }
}

/* ---- Callbacks and actions ------------------------------------------------ */

static void
row_activated_cb (TillUsersView *self, GtkListBoxRow *row)
{
  const char *code = g_object_get_data (G_OBJECT (row), "user-code");

  if (code != NULL)
    till_users_view_select (self, code);
}

static void
permission_toggled_cb (GtkToggleButton *toggle, TillUsersView *self)
{
  if (self->filling)
    return;
  do_set_permission (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toggle), "role")),
                     GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toggle), "permission")),
                     gtk_toggle_button_get_active (toggle));
}

static char *
editable_text (GtkWidget *editable)
{
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable)));
}

static gboolean
need_selection (TillUsersView *self)
{
  if (self->selected != NULL)
    return TRUE;
  set_message (self, _ ("Choose a user first"), TRUE);
  return FALSE;
}

static gboolean
role_from_parameter (TillUsersView *self, GVariant *parameter, TillRole *out_role)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (till_role_from_string (name, out_role))
    return TRUE;
  g_warning ("No role %s", name);
  return FALSE;
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

static void
tab_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  gtk_stack_set_visible_child_name (GTK_STACK (self->tab_stack),
                                    g_variant_get_string (parameter, NULL));
}

static void
select_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  till_users_view_select (TILL_USERS_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  g_clear_pointer (&self->selected, g_free);
  gtk_list_box_unselect_all (GTK_LIST_BOX (self->user_list));
  self->add_role = TILL_ROLE_CASHIER;
  highlight_role (self->add_role_buttons, self->add_role);
  gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "add");
  gtk_widget_grab_focus (self->add_code_entry);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "none");
  set_message (self, NULL, FALSE);
}

static void
add_role_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  TillRole       role;

  if (!role_from_parameter (self, parameter, &role))
    return;
  self->add_role = role;
  highlight_role (self->add_role_buttons, role);
}

/* users.create((sssss)): code, name, role ("cashier", …), PIN, PIN again. */
static void
create_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  const char    *code, *name, *role_name, *pin, *pin_again;
  TillRole       role;

  g_variant_get (parameter, "(&s&s&s&s&s)", &code, &name, &role_name, &pin, &pin_again);
  if (!till_role_from_string (role_name, &role))
    {
      g_warning ("No role %s", role_name);
      return;
    }
  do_create (self, code, name, role, pin, pin_again);
}

static void
create_from_form_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView   *self = TILL_USERS_VIEW (widget);
  g_autofree char *code = editable_text (self->add_code_entry);
  g_autofree char *name = editable_text (self->add_name_entry);
  g_autofree char *pin = editable_text (self->add_pin_entry);
  g_autofree char *pin_again = editable_text (self->add_pin_again_entry);

  do_create (self, code, name, self->add_role, pin, pin_again);
}

static void
unlock_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  do_unlock (TILL_USERS_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
set_role_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  TillRole       role;

  if (need_selection (self) && role_from_parameter (self, parameter, &role))
    do_set_role (self, self->selected, role);
}

/* users.set-name(s) sets the selected user's name; users.save-name takes the field. */
static void
set_name_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  if (need_selection (self))
    do_set_name (self, self->selected, g_variant_get_string (parameter, NULL));
}

static void
save_name_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView   *self = TILL_USERS_VIEW (widget);
  g_autofree char *name = editable_text (self->name_entry);

  if (need_selection (self))
    do_set_name (self, self->selected, name);
}

/* users.set-limits((sss)): discount %, price change and refund in yuan, as
 * typed ("" = no limit), for the selected user. */
static void
set_limits_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  const char    *discount, *price, *refund;

  g_variant_get (parameter, "(&s&s&s)", &discount, &price, &refund);
  if (need_selection (self))
    do_set_limits (self, self->selected, discount, price, refund);
}

static void
save_limits_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView   *self = TILL_USERS_VIEW (widget);
  g_autofree char *discount = editable_text (self->discount_entry);
  g_autofree char *price = editable_text (self->price_entry);
  g_autofree char *refund = editable_text (self->refund_entry);

  if (need_selection (self))
    do_set_limits (self, self->selected, discount, price, refund);
}

static void
default_limits_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  if (need_selection (self))
    do_set_limits (self, self->selected, NULL, NULL, NULL);
}

/* users.reset-pin((ss)): the new PIN twice, for the selected user. */
static void
reset_pin_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  const char    *pin, *pin_again;

  g_variant_get (parameter, "(&s&s)", &pin, &pin_again);
  if (need_selection (self))
    do_reset_pin (self, self->selected, pin, pin_again);
}

static void
save_pin_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView   *self = TILL_USERS_VIEW (widget);
  g_autofree char *pin = editable_text (self->pin_entry);
  g_autofree char *pin_again = editable_text (self->pin_again_entry);

  if (need_selection (self))
    do_reset_pin (self, self->selected, pin, pin_again);
}

static void
set_badge_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  if (need_selection (self))
    do_set_badge (self, self->selected, g_variant_get_string (parameter, NULL));
}

static void
save_badge_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView   *self = TILL_USERS_VIEW (widget);
  g_autofree char *badge = editable_text (self->badge_entry);

  if (need_selection (self))
    do_set_badge (self, self->selected, badge);
}

static void
remove_badge_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  if (need_selection (self))
    do_set_badge (self, self->selected, NULL);
}

static void
deactivate_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);

  if (need_selection (self))
    do_set_active (self, self->selected, g_str_equal (action_name, "users.reactivate"));
}

/* users.set-permission((ssb)): role, permission (by their stored names), allowed. */
static void
set_permission_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillUsersView *self = TILL_USERS_VIEW (widget);
  const char    *role_name, *permission_name;
  gboolean       allowed;
  TillRole       role;
  TillPermission permission;

  g_variant_get (parameter, "(&s&sb)", &role_name, &permission_name, &allowed);
  if (!till_role_from_string (role_name, &role) ||
      !till_permission_from_string (permission_name, &permission))
    {
      g_warning ("No role %s or permission %s", role_name, permission_name);
      return;
    }
  do_set_permission (self, role, permission, allowed);
}

/* ---- Building the parts made in code -------------------------------------- */

static void
build_role_buttons (GtkWidget *box, const char *action, GtkWidget **out_buttons)
{
  for (guint role = 0; role <= TILL_ROLE_ADMIN; role++)
    {
      GtkWidget *button = gtk_button_new_with_label (till_role_get_label (role));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", till_role_to_string (role));
      gtk_widget_set_size_request (button, 110, 48);
      gtk_box_append (GTK_BOX (box), button);
      out_buttons[role] = button;
    }
}

/* Rows: what can be allowed; columns: the roles; the admin column is fixed. */
static void
build_permission_grid (TillUsersView *self)
{
  GtkGrid *grid = GTK_GRID (self->permission_grid);

  for (guint role = 0; role <= TILL_ROLE_ADMIN; role++)
    {
      GtkWidget *header = new_label (till_role_get_label (role), "heading");

      gtk_label_set_xalign (GTK_LABEL (header), 0.5);
      gtk_grid_attach (grid, header, 1 + role, 0, 1, 1);
    }
  for (guint p = 0; p < TILL_N_PERMISSIONS; p++)
    {
      GtkWidget *label = new_label (till_permission_get_label (p), NULL);
      GtkWidget *always = gtk_label_new (_ ("Always"));

      gtk_widget_set_size_request (label, 260, -1);
      gtk_grid_attach (grid, label, 0, 1 + p, 1, 1);
      for (guint r = 0; r < N_EDITABLE_ROLES; r++)
        {
          GtkWidget *toggle = gtk_toggle_button_new ();

          gtk_widget_set_size_request (toggle, 140, 48);
          g_object_set_data (G_OBJECT (toggle), "role", GINT_TO_POINTER (r));
          g_object_set_data (G_OBJECT (toggle), "permission", GINT_TO_POINTER (p));
          g_signal_connect (toggle, "toggled", G_CALLBACK (permission_toggled_cb), self);
          gtk_grid_attach (grid, toggle, 1 + r, 1 + p, 1, 1);
          self->permission_toggles[p][r] = toggle;
        }
      gtk_widget_add_css_class (always, "dim-label");
      gtk_widget_set_size_request (always, 140, 48);
      gtk_grid_attach (grid, always, 1 + TILL_ROLE_ADMIN, 1 + p, 1, 1);
    }
}

/* ---- Object ----------------------------------------------------------------- */

static void
till_users_view_dispose (GObject *object)
{
  TillUsersView *self = TILL_USERS_VIEW (object);
  GtkWidget     *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_USERS_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_users_view_parent_class)->dispose (object);
}

static void
till_users_view_finalize (GObject *object)
{
  TillUsersView *self = TILL_USERS_VIEW (object);

  g_free (self->message);
  g_free (self->selected);
  g_hash_table_unref (self->state_labels);
  G_OBJECT_CLASS (till_users_view_parent_class)->finalize (object);
}

static void
till_users_view_class_init (TillUsersViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_users_view_dispose;
  object_class->finalize = till_users_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-users-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, refused_label);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, tab_stack);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, user_list);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, edit_title);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, name_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, edit_role_box);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, limits_title);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, discount_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, price_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, refund_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, pin_again_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, badge_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, badge_state);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, remove_badge_button);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, deactivate_button);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, reactivate_button);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, add_code_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, add_name_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, add_role_box);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, add_pin_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, add_pin_again_entry);
  gtk_widget_class_bind_template_child (widget_class, TillUsersView, permission_grid);

  gtk_widget_class_install_action (widget_class, "users.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "users.tab", "s", tab_action);
  gtk_widget_class_install_action (widget_class, "users.select", "s", select_action);
  gtk_widget_class_install_action (widget_class, "users.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "users.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "users.add-role", "s", add_role_action);
  gtk_widget_class_install_action (widget_class, "users.create", "(sssss)", create_action);
  gtk_widget_class_install_action (widget_class, "users.create-from-form", NULL,
                                   create_from_form_action);
  gtk_widget_class_install_action (widget_class, "users.unlock", "s", unlock_action);
  gtk_widget_class_install_action (widget_class, "users.set-role", "s", set_role_action);
  gtk_widget_class_install_action (widget_class, "users.set-name", "s", set_name_action);
  gtk_widget_class_install_action (widget_class, "users.save-name", NULL, save_name_action);
  gtk_widget_class_install_action (widget_class, "users.set-limits", "(sss)", set_limits_action);
  gtk_widget_class_install_action (widget_class, "users.save-limits", NULL, save_limits_action);
  gtk_widget_class_install_action (widget_class, "users.default-limits", NULL,
                                   default_limits_action);
  gtk_widget_class_install_action (widget_class, "users.reset-pin", "(ss)", reset_pin_action);
  gtk_widget_class_install_action (widget_class, "users.save-pin", NULL, save_pin_action);
  gtk_widget_class_install_action (widget_class, "users.set-badge", "s", set_badge_action);
  gtk_widget_class_install_action (widget_class, "users.save-badge", NULL, save_badge_action);
  gtk_widget_class_install_action (widget_class, "users.remove-badge", NULL, remove_badge_action);
  gtk_widget_class_install_action (widget_class, "users.deactivate", NULL, deactivate_action);
  gtk_widget_class_install_action (widget_class, "users.reactivate", NULL, deactivate_action);
  gtk_widget_class_install_action (widget_class, "users.set-permission", "(ssb)",
                                   set_permission_action);
}

static void
till_users_view_init (TillUsersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->state_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build_role_buttons (self->edit_role_box, "users.set-role", self->edit_role_buttons);
  build_role_buttons (self->add_role_box, "users.add-role", self->add_role_buttons);
  build_permission_grid (self);
  g_signal_connect_swapped (self->user_list, "row-activated", G_CALLBACK (row_activated_cb), self);
}

/* ---- Public API -------------------------------------------------------------- */

void
till_users_view_set_session (TillUsersView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_USERS_VIEW (self));

  g_set_object (&self->session, session);
}

/**
 * till_users_view_reset:
 *
 * Called each time the screen opens: decides from the store whether the
 * signed-in user may manage users at all, and shows the users, nothing chosen.
 */
void
till_users_view_reset (TillUsersView *self)
{
  g_autoptr (GError) error = NULL;
  gboolean may_manage;

  g_return_if_fail (TILL_IS_USERS_VIEW (self));

  g_clear_pointer (&self->selected, g_free);
  set_message (self, NULL, FALSE);
  may_manage = self->session != NULL && actor_code (self) != NULL &&
               till_user_check_may_manage (get_store (self), actor_code (self), &error);
  if (error != NULL &&
      !g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
    set_message (self, error->message, TRUE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->mode_stack),
                                    may_manage ? "manage" : "refused");
  gtk_stack_set_visible_child_name (GTK_STACK (self->tab_stack), "users");
  gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "none");
  if (may_manage)
    refresh (self);
  else
    {
      /* Nothing of the users stays on a screen its viewer may not see. */
      g_autoptr (GPtrArray) none = g_ptr_array_new ();

      fill_list (self, none);
    }
}

/**
 * till_users_view_select:
 * @code: a user's code
 *
 * Opens the edit form for @code (what touching the user's row does).
 */
void
till_users_view_select (TillUsersView *self, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUserInfo) info = NULL;

  g_return_if_fail (TILL_IS_USERS_VIEW (self));
  g_return_if_fail (code != NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->mode_stack)), "manage") != 0)
    return;
  info = till_user_get_info (get_store (self), code, &error);
  if (info == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  g_free (self->selected);
  self->selected = g_strdup (code);
  set_message (self, NULL, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_again_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->badge_entry), "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "edit");
  refresh (self);
}

/* Returns: "refused", "users" or "permissions" */
const char *
till_users_view_get_page (TillUsersView *self)
{
  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->mode_stack)), "manage") != 0)
    return "refused";
  return gtk_stack_get_visible_child_name (GTK_STACK (self->tab_stack));
}

/* Returns: what the refusal page says */
const char *
till_users_view_get_refusal (TillUsersView *self)
{
  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->refused_label));
}

/* Returns: the last success or error shown, "" when none */
const char *
till_users_view_get_message (TillUsersView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = gtk_widget_has_css_class (self->message_label, "status-error");
  return self->message != NULL ? self->message : "";
}

/* Returns: (nullable): the code of the user in the edit form */
const char *
till_users_view_get_selected (TillUsersView *self)
{
  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), NULL);
  return self->selected;
}

/* Returns: (nullable): what the list says of @code's state ("Active", "Locked
 * until 10:15", "Inactive"), NULL when the list has no such user */
const char *
till_users_view_get_state_text (TillUsersView *self, const char *code)
{
  GtkWidget *label;

  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), NULL);

  label = g_hash_table_lookup (self->state_labels, code);
  return label != NULL ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

/* Returns: whether the permission grid shows @role allowed @permission */
gboolean
till_users_view_get_permission_shown (TillUsersView *self, TillRole role, TillPermission permission)
{
  g_return_val_if_fail (TILL_IS_USERS_VIEW (self), FALSE);
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, FALSE);

  if (role == TILL_ROLE_ADMIN)
    return TRUE;
  return gtk_toggle_button_get_active (
      GTK_TOGGLE_BUTTON (self->permission_toggles[permission][role]));
}
