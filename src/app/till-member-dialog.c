/* till-member-dialog.c: a member for the sale (find by phone, card or member
 * QR; register in a few taps), a top-up of a member's stored-value card, and
 * the member's details: history, full data for a permitted user, coupons
 * issued by a manager, points for gifts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-member-dialog.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-printer-monitor.h"
#include "till-ui-util.h"

/* The details page lists this many of the member's last sales. */
#define N_RECENT_SALES 5

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
  GtkWidget  *notice_label;
  GtkWidget  *cancel_button;
  GtkWidget  *register_button;
  GtkWidget  *confirm_button;
  GtkWidget  *details_box;
  GtkWidget  *details_who_label;
  GtkWidget  *facts_grid;
  GtkWidget  *recent_sales_box;
  GtkWidget  *personal_label;
  GtkWidget  *details_opt_out_switch;
  GtkWidget  *personal_button;
  GtkWidget  *issue_coupon_box;
  GtkWidget  *coupon_dropdown;
  GtkWidget  *gift_member_label;
  TillKeypad *gift_keypad;
  GtkWidget  *gift_product_label;
  GtkWidget  *gift_points_entry;

  TillSession *session;
  char        *member_id; /* the member topped up, or shown in details */
  char        *method;    /* how the top-up is paid */
  GPtrArray   *method_buttons;

  /* Details. */
  TillMember         *member;
  GPtrArray          *coupon_promotions; /* TillPromotion of kind COUPON, as in the drop-down */
  TillOverrideDialog *override_dialog;   /* while a supervisor is asked to show full data */
  gboolean            filling;           /* the opt-out switch set from the member, not tapped */
  gint64              gift_product_id;   /* 0: none keyed yet */
};

G_DEFINE_FINAL_TYPE (TillMemberDialog, till_member_dialog, GTK_TYPE_WINDOW)

enum
{
  SIGNAL_MEMBER_CHOSEN,
  SIGNAL_TOPPED_UP,
  SIGNAL_MEMBER_CHANGED,
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

/* What went through: shown in the dialog, which stays open. */
static void
show_notice (TillMemberDialog *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->notice_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->notice_label, message != NULL && *message != '\0');
}

static void
set_page (TillMemberDialog *self, const char *page)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->pages), page);
  show_error (self, NULL);
  show_notice (self, NULL);
  /* Only the details page closes rather than cancels. */
  gtk_button_set_label (GTK_BUTTON (self->cancel_button),
                        g_str_equal (page, "details") ? _ ("Close") : _ ("Cancel"));
  gtk_widget_set_visible (self->confirm_button, !g_str_equal (page, "details"));
  if (g_str_equal (page, "details"))
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _ ("Member details"));
      gtk_widget_set_visible (self->register_button, FALSE);
    }
  else if (g_str_equal (page, "gift"))
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _ ("Points for a gift"));
      gtk_button_set_label (GTK_BUTTON (self->register_button), _ ("Back"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->register_button),
                                      "member.show-details");
      gtk_button_set_label (GTK_BUTTON (self->confirm_button), _ ("Redeem"));
      gtk_widget_set_visible (self->register_button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->gift_keypad));
    }
  else if (g_str_equal (page, "find"))
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

/* The slip of the top-up just made, and the drawer for cash; printing never
 * undoes the top-up, so a failure is only said. */
static void
print_top_up_slip (TillMemberDialog *self)
{
  GApplication       *app = g_application_get_default ();
  TillPrinterMonitor *monitor = TILL_IS_APPLICATION (app)
                                    ? till_application_get_printer_monitor (TILL_APPLICATION (app))
                                    : NULL;
  g_autoptr (GPtrArray) top_ups = NULL;
  g_autoptr (GError) error = NULL;
  const TillStoredValueTopUp *top_up;

  if (monitor == NULL)
    return;
  top_ups = till_stored_value_list_top_ups (till_session_get_store (self->session), self->member_id,
                                            &error);
  if (top_ups == NULL || top_ups->len == 0)
    {
      g_message ("No top-up slip: %s", error != NULL ? error->message : "no top-up");
      return;
    }
  top_up = g_ptr_array_index (top_ups, 0);
  if (!till_printer_monitor_queue_top_up (monitor, top_up->uuid,
                                          g_strcmp0 (self->method, "cash") == 0, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("The top-up slip was not queued: %s", error->message);
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
  print_top_up_slip (self);
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

/* ---- Details ---------------------------------------------------------------------- */

/* Every visible label's text under @widget, one a line (for tests). */
static void
collect_visible_labels (GtkWidget *widget, GString *texts)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_visible_labels (child, texts);
}

static char *
format_day (gint64 us)
{
  g_autoptr (GDateTime) local = NULL;

  if (us <= 0)
    return g_strdup (_ ("never"));
  local = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  return local != NULL ? g_date_time_format (local, "%Y-%m-%d") : g_strdup ("");
}

static void
add_fact (TillMemberDialog *self, int row, const char *caption, const char *value)
{
  GtkWidget *caption_label = gtk_label_new (caption);
  GtkWidget *value_label = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_widget_set_hexpand (value_label, TRUE);
  gtk_grid_attach (GTK_GRID (self->facts_grid), caption_label, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (self->facts_grid), value_label, 1, row, 1, 1);
}

static void
remove_children (GtkWidget *parent)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (parent)) != NULL)
    gtk_widget_unparent (child);
}

/* The member's last sales: receipt number, day, total. A sale that cannot
 * be read is left out with a warning: the rest of the page still helps. */
static void
fill_recent_sales (TillMemberDialog *self, TillStore *store)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) uuids = NULL;

  while (gtk_widget_get_first_child (self->recent_sales_box) != NULL)
    gtk_box_remove (GTK_BOX (self->recent_sales_box),
                    gtk_widget_get_first_child (self->recent_sales_box));
  uuids = till_loyalty_member_sales (store, self->member->id, N_RECENT_SALES, &error);
  if (uuids == NULL)
    {
      g_warning ("The member's sales cannot be read: %s", error->message);
      return;
    }
  for (guint i = 0; uuids[i] != NULL; i++)
    {
      g_autoptr (TillSale) sale = till_sale_load (store, uuids[i], &error);
      g_autofree char *number = NULL;
      g_autofree char *day = NULL;
      g_autofree char *total = NULL;
      g_autofree char *text = NULL;
      GtkWidget       *label;

      if (sale == NULL)
        {
          g_warning ("The member's sale %s cannot be read: %s", uuids[i], error->message);
          g_clear_error (&error);
          continue;
        }
      number = till_sale_format_receipt_no (sale);
      day = g_date_time_format (till_sale_get_created (sale), "%Y-%m-%d");
      total = till_ui_format_money (till_sale_get_total (sale));
      text = g_strdup_printf ("%s   %s   %s", number, day, total);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "member-sale");
      gtk_box_append (GTK_BOX (self->recent_sales_box), label);
    }
  if (uuids[0] == NULL)
    {
      GtkWidget *label = gtk_label_new (_ ("No sales yet"));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (self->recent_sales_box), label);
    }
}

/* Whether the signed-in user may issue coupons: those who manage the
 * till's promotions. */
static gboolean
may_issue_coupons (TillMemberDialog *self)
{
  TillUser *user = till_session_get_user (self->session);

  return user != NULL &&
         till_permission_role_has (till_session_get_store (self->session),
                                   till_user_get_role (user), TILL_PERMISSION_MANAGE_PROMOTIONS);
}

/* The coupon promotions the till holds, for a manager to issue. */
static void
fill_coupon_promotions (TillMemberDialog *self, TillStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);

  g_clear_pointer (&self->coupon_promotions, g_ptr_array_unref);
  self->coupon_promotions = g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);
  if (!may_issue_coupons (self))
    {
      gtk_widget_set_visible (self->issue_coupon_box, FALSE);
      return;
    }
  if (till_promotion_read_scope (store, &store_id, &group_id, &error))
    promotions = till_promotion_load_all (store, store_id, group_id, &error);
  if (promotions == NULL)
    g_warning ("The coupon promotions cannot be read: %s", error->message);
  for (guint i = 0; promotions != NULL && i < promotions->len; i++)
    {
      TillPromotion *promotion = g_ptr_array_index (promotions, i);

      if (promotion->kind != TILL_PROMOTION_COUPON)
        continue;
      g_ptr_array_add (self->coupon_promotions, till_promotion_copy (promotion));
      gtk_string_list_append (names, promotion->name);
    }
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->coupon_dropdown), G_LIST_MODEL (names));
  gtk_widget_set_visible (self->issue_coupon_box, self->coupon_promotions->len > 0);
}

/* Everything the details page shows, read again (after a gift or an opt-out). */
static void
fill_details (TillMemberDialog *self)
{
  TillStore *store = till_session_get_store (self->session);
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillMemberSummary) summary = NULL;
  g_autoptr (GError) error = NULL;
  const TillLoyaltyTier *tier = NULL;
  g_autofree char       *who = NULL;
  g_autofree char       *points = NULL;
  g_autofree char       *stored_value = NULL;
  g_autofree char       *since = NULL;
  int                    row = 0;

  who = *self->member->name_masked != '\0'
            ? g_strdup_printf ("%s  %s", self->member->phone_masked, self->member->name_masked)
            : g_strdup (self->member->phone_masked);
  gtk_label_set_text (GTK_LABEL (self->details_who_label), who);
  remove_children (self->facts_grid);

  rules = till_loyalty_rules_load (store, &error);
  if (rules == NULL)
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  else if (self->member->tier != NULL && *self->member->tier != '\0')
    tier = till_loyalty_rules_find_tier (rules, self->member->tier);
  else if (rules->tiers->len > 0)
    tier = &g_array_index (rules->tiers, TillLoyaltyTier, 0);
  add_fact (self, row++, _ ("Tier"), tier != NULL ? tier->name : "");

  summary = till_loyalty_member_summary (store, self->member->id, &error);
  if (summary == NULL)
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
  points = g_strdup_printf ("%" G_GINT64_FORMAT,
                            summary != NULL
                                ? summary->points
                                : till_loyalty_points_balance (store, self->member->id, NULL));
  add_fact (self, row++, _ ("Points"), points);
  account = till_stored_value_find_for_member (store, self->member->id, &error);
  if (account == NULL && error != NULL &&
      !g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID))
    g_warning ("The member's card cannot be read: %s", error->message);
  g_clear_error (&error);
  stored_value =
      account != NULL ? till_ui_format_money (account->balance) : g_strdup (_ ("no card"));
  add_fact (self, row++, _ ("Stored value"), stored_value);
  since = format_day (self->member->registered_us);
  add_fact (self, row++, _ ("Member since"), since);
  if (summary != NULL)
    {
      g_autofree char *spend = till_ui_format_money (summary->spend);
      g_autofree char *visits = g_strdup_printf ("%" G_GINT64_FORMAT, summary->visits);
      g_autofree char *last_visit = format_day (summary->last_visit_us);
      g_autofree char *favourites = NULL;

      add_fact (self, row++, _ ("Spend"), spend);
      add_fact (self, row++, _ ("Visits"), visits);
      add_fact (self, row++, _ ("Last visit"), last_visit);
      favourites = summary->favourite_categories != NULL && summary->favourite_categories[0] != NULL
                       ? g_strjoinv ("、", summary->favourite_categories)
                       : g_strdup (_ ("none yet"));
      add_fact (self, row++, _ ("Favourite categories"), favourites);
    }
  fill_recent_sales (self, store);

  self->filling = TRUE;
  gtk_switch_set_active (GTK_SWITCH (self->details_opt_out_switch), self->member->opt_out);
  self->filling = FALSE;
}

static void
member_changed (TillMemberDialog *self)
{
  till_session_kick_sync (self->session);
  g_signal_emit (self, signals[SIGNAL_MEMBER_CHANGED], 0, self->member->id);
}

static void
show_personal (TillMemberDialog *self, const TillMemberPersonal *personal)
{
  g_autofree char *text = g_strdup_printf (_ ("Phone: %s\nName: %s\nBirthday: %s"),
                                           personal->phone != NULL ? personal->phone : "",
                                           personal->name != NULL ? personal->name : "",
                                           personal->birthday != NULL ? personal->birthday : "");

  /* The refusal that asked for a supervisor is over. */
  show_error (self, NULL);
  gtk_label_set_text (GTK_LABEL (self->personal_label), text);
  gtk_widget_set_visible (self->personal_label, TRUE);
  gtk_widget_set_visible (self->personal_button, FALSE);
}

static TillMemberPersonal *
open_personal (TillMemberDialog *self, const TillOverride *override, GError **error)
{
  return till_member_open_personal (
      till_session_get_store (self->session), till_session_get_journal (self->session),
      till_session_get_member_key (self->session), till_session_get_user (self->session), override,
      self->member->id, error);
}

static void
override_destroyed_cb (TillMemberDialog *self)
{
  self->override_dialog = NULL;
}

/* The supervisor approved: the data opened again, with the approval. */
static void
override_approved_cb (TillMemberDialog *self, TillOverrideDialog *dialog)
{
  TillOverride override;
  g_autoptr (TillMemberPersonal) personal = NULL;
  g_autoptr (GError) error = NULL;

  if (!till_override_dialog_get_override (dialog, &override))
    return;
  personal = open_personal (self, &override, &error);
  if (personal == NULL)
    {
      /* A wrong PIN, or a supervisor who may not see it either: try again. */
      if (error->domain == TILL_PERMISSION_ERROR && error->code != TILL_PERMISSION_ERROR_FAILED)
        {
          till_override_dialog_show_error (dialog, error->message);
          return;
        }
      show_error (self, error->message);
      gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }
  show_personal (self, personal);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* member.show-personal: the full phone, name and birthday, for a user who
 * may see them; anyone else is offered a supervisor's override. */
static void
show_personal_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  g_autoptr (TillMemberPersonal) personal = NULL;
  g_autoptr (GError) error = NULL;

  if (self->member == NULL)
    return;
  show_error (self, NULL);
  personal = open_personal (self, NULL, &error);
  if (personal != NULL)
    {
      show_personal (self, personal);
      return;
    }
  if (!g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, error->message);
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  self->override_dialog = till_override_dialog_new (
      GTK_WINDOW (self), till_permission_get_label (TILL_PERMISSION_VIEW_MEMBER_DATA),
      error->message, TILL_REASON_OTHER);
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
}

/* member.set-opt-out(b): the member's marketing choice. */
static void
set_opt_out_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  gboolean          opt_out = g_variant_get_boolean (parameter);
  g_autoptr (GError) error = NULL;

  if (self->member == NULL || self->member->opt_out == opt_out)
    return;
  if (!till_member_set_opt_out (
          till_session_get_store (self->session), till_session_get_journal (self->session),
          till_session_get_user (self->session), self->member->id, opt_out, &error))
    {
      show_error (self, error->message);
      self->filling = TRUE;
      gtk_switch_set_active (GTK_SWITCH (self->details_opt_out_switch), self->member->opt_out);
      self->filling = FALSE;
      return;
    }
  self->member->opt_out = opt_out;
  show_notice (self, opt_out ? _ ("The member gets no marketing messages.")
                             : _ ("The member gets marketing messages again."));
  member_changed (self);
}

static void
details_opt_out_cb (TillMemberDialog *self)
{
  if (self->filling)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "member.set-opt-out", "b",
                              gtk_switch_get_active (GTK_SWITCH (self->details_opt_out_switch)));
}

/* member.issue-coupon(s): one of the till's coupon promotions ('' the one
 * chosen in the drop-down) issued to the member, for a manager. */
static void
issue_coupon_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog    *self = TILL_MEMBER_DIALOG (widget);
  const char          *code = g_variant_get_string (parameter, NULL);
  const TillPromotion *promotion = NULL;
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->member == NULL)
    return;
  if (!may_issue_coupons (self))
    {
      show_error (self, _ ("Only a manager can issue coupons to members."));
      return;
    }
  if (*code == '\0')
    {
      guint chosen_index = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->coupon_dropdown));

      if (self->coupon_promotions != NULL && chosen_index < self->coupon_promotions->len)
        promotion = g_ptr_array_index (self->coupon_promotions, chosen_index);
    }
  else
    for (guint i = 0; self->coupon_promotions != NULL && i < self->coupon_promotions->len; i++)
      if (g_str_equal (((TillPromotion *) g_ptr_array_index (self->coupon_promotions, i))->code,
                       code))
        promotion = g_ptr_array_index (self->coupon_promotions, i);
  if (promotion == NULL)
    {
      show_error (self, _ ("Choose one of the till's coupons first."));
      return;
    }
  coupon = till_loyalty_issue_coupon (
      till_session_get_store (self->session), till_session_get_journal (self->session),
      till_session_get_user (self->session), self->member->id, promotion->code, "manual", &error);
  if (coupon == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  message = g_strdup_printf (_ ("Coupon %s issued: %s"), promotion->name, coupon->code);
  show_notice (self, message);
  member_changed (self);
}

/* member.show-details: back from the gift page. */
static void
show_details_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);

  if (self->member == NULL)
    return;
  set_page (self, "details");
  fill_details (self);
}

/* ---- Points for a gift --------------------------------------------------------------- */

static void
fill_gift_member (TillMemberDialog *self)
{
  gint64 points =
      till_loyalty_points_balance (till_session_get_store (self->session), self->member->id, NULL);
  g_autofree char *text =
      g_strdup_printf (_ ("%s · %" PRId64 " points"), self->member->phone_masked, points);

  gtk_label_set_text (GTK_LABEL (self->gift_member_label), text);
}

static void
show_gift_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);

  if (self->member == NULL)
    return;
  self->gift_product_id = 0;
  till_keypad_clear (self->gift_keypad);
  gtk_editable_set_text (GTK_EDITABLE (self->gift_points_entry), "");
  gtk_label_set_text (GTK_LABEL (self->gift_product_label),
                      _ ("Key the gift's PLU or scan its barcode."));
  fill_gift_member (self);
  set_page (self, "gift");
}

/* member.gift-product(s): the gift, by PLU or barcode ('' the keypad's);
 * the points it costs are its price at the rate points pay, editable. */
static void
gift_product_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  g_autofree char  *code = g_strstrip (g_variant_dup_string (parameter, NULL));
  TillCatalog      *catalog = till_session_get_catalog (self->session);
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *price = NULL;
  g_autofree char *text = NULL;
  g_autofree char *points_text = NULL;
  gint64           points;

  if (*code == '\0')
    {
      g_free (code);
      code = g_strstrip (g_strdup (till_keypad_get_text (self->gift_keypad)));
    }
  if (*code == '\0')
    {
      show_error (self, _ ("Key the gift's PLU or scan its barcode."));
      return;
    }
  product = till_catalog_lookup_plu (catalog, code, NULL);
  if (product == NULL)
    product = till_catalog_lookup_barcode (catalog, code, &error);
  if (product == NULL)
    {
      show_error (self, _ ("No product has this PLU or barcode."));
      return;
    }
  rules = till_loyalty_rules_load (till_session_get_store (self->session), &error);
  if (rules == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  self->gift_product_id = till_product_get_id (product);
  points = till_product_get_price (product) * rules->points_per_yuan_redeemed / 100;
  price = till_ui_format_money (till_product_get_price (product));
  text = g_strdup_printf ("%s · %s", till_product_get_name (product), price);
  gtk_label_set_text (GTK_LABEL (self->gift_product_label), text);
  points_text = g_strdup_printf ("%" G_GINT64_FORMAT, points);
  gtk_editable_set_text (GTK_EDITABLE (self->gift_points_entry), points_text);
  till_keypad_clear (self->gift_keypad);
}

/* member.redeem-gift: the points keyed for the gift chosen, in one core
 * call; the details page then shows the new balance. */
static void
redeem_gift_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillMemberDialog *self = TILL_MEMBER_DIALOG (widget);
  const char       *typed = gtk_editable_get_text (GTK_EDITABLE (self->gift_points_entry));
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *product_name = NULL;
  gint64           points = 0;
  guint64          parsed = 0;

  if (self->member == NULL)
    return;
  if (self->gift_product_id == 0)
    {
      show_error (self, _ ("Key the gift's PLU or scan its barcode."));
      return;
    }
  if (!g_ascii_string_to_unsigned (typed, 10, 1, G_MAXINT32, &parsed, NULL))
    {
      show_error (self, _ ("Key the points the gift costs."));
      gtk_widget_grab_focus (self->gift_points_entry);
      return;
    }
  points = (gint64) parsed;
  if (!till_loyalty_redeem_for_gift (till_session_get_store (self->session),
                                     till_session_get_journal (self->session),
                                     till_session_get_user (self->session), self->member->id,
                                     self->gift_product_id, points, &error))
    {
      show_error (self, error->message);
      return;
    }
  {
    g_autoptr (TillProduct) product = till_catalog_lookup_id (
        till_session_get_catalog (self->session), self->gift_product_id, NULL);

    product_name = g_strdup (product != NULL ? till_product_get_name (product) : "");
  }
  self->gift_product_id = 0;
  set_page (self, "details");
  fill_details (self);
  message = g_strdup_printf (_ ("%" PRId64 " points redeemed for %s."), points, product_name);
  show_notice (self, message);
  member_changed (self);
}

static void
gift_product_activate_cb (TillMemberDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.gift-product", "s", "");
}

static void
redeem_gift_activate_cb (TillMemberDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.redeem-gift", NULL);
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
  else if (g_str_equal (page, "gift"))
    redeem_gift_activate_cb (self);
  else if (g_str_equal (page, "top-up"))
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
  if (g_str_equal (page, "gift"))
    return till_keypad_handle_key (self->gift_keypad, keyval);
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
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  g_clear_object (&self->session);
  g_clear_pointer (&self->method_buttons, g_ptr_array_unref);
  g_clear_pointer (&self->coupon_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member, till_member_free);

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
  signals[SIGNAL_MEMBER_CHANGED] =
      g_signal_new ("member-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "member.find", "s", find_action);
  gtk_widget_class_install_action (widget_class, "member.show-find", NULL, show_find_action);
  gtk_widget_class_install_action (widget_class, "member.show-register", NULL,
                                   show_register_action);
  gtk_widget_class_install_action (widget_class, "member.register", NULL, register_action);
  gtk_widget_class_install_action (widget_class, "member.quick-amount", "x", quick_amount_action);
  gtk_widget_class_install_action (widget_class, "member.method", "s", method_action);
  gtk_widget_class_install_action (widget_class, "member.top-up", NULL, top_up_action);
  gtk_widget_class_install_action (widget_class, "member.show-details", NULL, show_details_action);
  gtk_widget_class_install_action (widget_class, "member.show-personal", NULL,
                                   show_personal_action);
  gtk_widget_class_install_action (widget_class, "member.set-opt-out", "b", set_opt_out_action);
  gtk_widget_class_install_action (widget_class, "member.issue-coupon", "s", issue_coupon_action);
  gtk_widget_class_install_action (widget_class, "member.show-gift", NULL, show_gift_action);
  gtk_widget_class_install_action (widget_class, "member.gift-product", "s", gift_product_action);
  gtk_widget_class_install_action (widget_class, "member.redeem-gift", NULL, redeem_gift_action);

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
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, notice_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, details_box);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, details_who_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, facts_grid);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, recent_sales_box);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, personal_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, details_opt_out_switch);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, personal_button);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, issue_coupon_box);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, coupon_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, gift_member_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, gift_keypad);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, gift_product_label);
  gtk_widget_class_bind_template_child (widget_class, TillMemberDialog, gift_points_entry);
  gtk_widget_class_bind_template_callback (widget_class, find_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, register_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, top_up_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, amount_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, details_opt_out_cb);
  gtk_widget_class_bind_template_callback (widget_class, gift_product_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, redeem_gift_activate_cb);
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

/**
 * till_member_dialog_new_details:
 * @member: the sale's member
 *
 * Returns: (transfer none): the dialog, on the details page; it stays open
 *   until closed ("member-changed" after each change it made)
 */
TillMemberDialog *
till_member_dialog_new_details (GtkWindow *parent, TillSession *session, const TillMember *member)
{
  TillMemberDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TILL_IS_SESSION (session), NULL);
  g_return_val_if_fail (member != NULL, NULL);

  self = dialog_new (parent, session);
  self->member = till_member_copy (member);
  self->member_id = g_strdup (member->id);
  fill_coupon_promotions (self, till_session_get_store (session));
  set_page (self, "details");
  fill_details (self);
  return self;
}

void
till_member_dialog_take_code (TillMemberDialog *self, const char *code)
{
  const char *page;

  g_return_if_fail (TILL_IS_MEMBER_DIALOG (self));
  g_return_if_fail (code != NULL);

  /* On the details pages a scan is the gift's barcode: the member is known. */
  page = till_member_dialog_get_page (self);
  if (g_str_equal (page, "details"))
    gtk_widget_activate_action (GTK_WIDGET (self), "member.show-gift", NULL);
  if (g_str_equal (page, "details") || g_str_equal (page, "gift"))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "member.gift-product", "s", code);
      return;
    }
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

char *
till_member_dialog_dup_details_text (TillMemberDialog *self)
{
  GString *texts;

  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);

  texts = g_string_new (NULL);
  collect_visible_labels (self->details_box, texts);
  return g_string_free (texts, FALSE);
}

const char *
till_member_dialog_get_personal_text (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_widget_get_visible (self->personal_label)
             ? gtk_label_get_text (GTK_LABEL (self->personal_label))
             : "";
}

GtkWidget *
till_member_dialog_get_personal_button (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->personal_button;
}

struct _TillOverrideDialog *
till_member_dialog_get_override_dialog (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->override_dialog;
}

const char *
till_member_dialog_get_notice (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->notice_label));
}

GtkWidget *
till_member_dialog_get_issue_coupon_button (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_widget_get_visible (self->issue_coupon_box)
             ? gtk_widget_get_last_child (self->issue_coupon_box)
             : NULL;
}

GtkDropDown *
till_member_dialog_get_coupon_dropdown (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_DROP_DOWN (self->coupon_dropdown);
}

TillKeypad *
till_member_dialog_get_gift_keypad (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return self->gift_keypad;
}

GtkEditable *
till_member_dialog_get_gift_points_entry (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return GTK_EDITABLE (self->gift_points_entry);
}

const char *
till_member_dialog_get_gift_product_text (TillMemberDialog *self)
{
  g_return_val_if_fail (TILL_IS_MEMBER_DIALOG (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->gift_product_label));
}
