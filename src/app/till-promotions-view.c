/* till-promotions-view.c: the manager's screen for promotions (促销活动)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "till-promotions-view.h"

#define N_KINDS (TILL_PROMOTION_SALE_DISCOUNT + 1)
#define KIND_BIT(kind) (1u << (kind))
#define ALL_KINDS 0u

/* Which figures a kind has: a form row shows only for the kinds in its mask. */
#define PERCENT_KINDS                                                              \
  (KIND_BIT (TILL_PROMOTION_PERCENT_OFF) | KIND_BIT (TILL_PROMOTION_BUY_X_GET_Y) | \
   KIND_BIT (TILL_PROMOTION_NTH_ITEM) | KIND_BIT (TILL_PROMOTION_TIER_DISCOUNT) |  \
   KIND_BIT (TILL_PROMOTION_COUPON) | KIND_BIT (TILL_PROMOTION_SALE_DISCOUNT))
/* Kinds that count the whole sale: they take no target SKUs, categories or brands. */
#define WHOLE_SALE_KINDS                                                    \
  (KIND_BIT (TILL_PROMOTION_THRESHOLD) | KIND_BIT (TILL_PROMOTION_COUPON) | \
   KIND_BIT (TILL_PROMOTION_SALE_DISCOUNT))
#define TARGET_KINDS (((1u << N_KINDS) - 1) & ~WHOLE_SALE_KINDS)

typedef enum
{
  THRESHOLD_ANY = -1,
  THRESHOLD_TIERS = 0,
  THRESHOLD_EVERY = 1,
} ThresholdMode;

/* One row of the form: shown for @kinds (0: all) and, for 满减, one mode. */
typedef struct
{
  GtkWidget    *label;
  GtkWidget    *field;
  guint         kinds;
  ThresholdMode mode;
} FormRow;

/* A row of a list the manager grows: a tier (spend, save) or a bundle item
 * (SKU, quantity). */
typedef struct
{
  GtkWidget *box;
  GtkWidget *first;
  GtkWidget *second;
  GtkWidget *remove;
} PairRow;

struct _TillPromotionsView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget *title_label;
  GtkWidget *new_button;
  GtkWidget *message_label;
  GtkWidget *confirm_box;
  GtkWidget *confirm_label;
  GtkWidget *mode_stack;
  GtkWidget *read_only_label;
  GtkWidget *list_stack;
  GtkWidget *promotion_list;
  GtkWidget *form_title;
  GtkWidget *form_scroller;
  GtkWidget *form_box;

  TillSession *session;
  char        *message;
  gboolean     may_manage;
  char        *editing_code;   /* the till's own promotion in the form; NULL: a new one */
  char        *pending_delete; /* the code the confirmation asks about */
  GHashTable  *row_texts;      /* "hq:CODE" / "local:CODE" → the row's texts */

  /* the form */
  GHashTable *fields; /* name → widget (borrowed) */
  GArray     *form_rows;
  GPtrArray  *tier_rows;
  GPtrArray  *bundle_rows;
  GtkWidget  *tier_box;
  GtkWidget  *bundle_box;
  GtkWidget  *percent_label;
  GtkWidget  *weekday_toggles[8]; /* 1 = Monday … 7 = Sunday */
};

G_DEFINE_FINAL_TYPE (TillPromotionsView, till_promotions_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (TillPromotionsView *self);

/* ---- Small helpers ---------------------------------------------------------- */

static void
set_message (TillPromotionsView *self, const char *message, gboolean is_error)
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
get_store (TillPromotionsView *self)
{
  return till_session_get_store (self->session);
}

static TillUser *
get_user (TillPromotionsView *self)
{
  return self->session != NULL ? till_session_get_user (self->session) : NULL;
}

static char *
editable_text (GtkWidget *widget)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget))));
}

static void
set_text (GtkWidget *widget, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (widget), text != NULL ? text : "");
}

static GtkWidget *
field (TillPromotionsView *self, const char *name)
{
  GtkWidget *widget = g_hash_table_lookup (self->fields, name);

  g_assert (widget != NULL);
  return widget;
}

/* "12.50" for 1250 fen; "" for 0 (an empty field means "none"). */
static char *
format_fen_or_empty (gint64 fen)
{
  return fen != 0 ? till_money_format (fen) : g_strdup ("");
}

/* "50" for 5000 bp, "12.5" for 1250. */
static char *
format_percent (gint64 bp)
{
  if (bp % 100 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, bp / 100);
  if (bp % 10 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%d", bp / 100, (int) (bp % 100) / 10);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", bp / 100, (int) (bp % 100));
}

static char *
format_int_or_empty (gint64 value)
{
  return value != 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : g_strdup ("");
}

static char *
format_quantity_or_empty (gint64 thousandths)
{
  return thousandths != 0 ? till_quantity_format (thousandths) : g_strdup ("");
}

static char *
join_or_empty (GStrv values)
{
  return values != NULL ? g_strjoinv (", ", values) : g_strdup ("");
}

static char *
format_date_or_empty (gint64 us, gboolean last_day)
{
  g_autoptr (GDateTime) local = NULL;

  if (us == 0)
    return g_strdup ("");
  /* valid_until is exclusive: the form shows the last day it holds. */
  local = g_date_time_new_from_unix_local ((us - (last_day ? 1 : 0)) / G_USEC_PER_SEC);
  return local != NULL ? g_date_time_format (local, "%Y-%m-%d") : g_strdup ("");
}

/* ---- Reading the form --------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (2, 3) form_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

/* Yuan as typed ("12", "12.5", "12.50") into fen; empty is 0. */
static gboolean
read_money (GtkWidget *widget, const char *what, gint64 *out_fen, GError **error)
{
  g_autofree char *text = editable_text (widget);

  *out_fen = 0;
  if (*text == '\0')
    return TRUE;
  if (!till_money_parse (text, out_fen, NULL))
    return form_error (error, _ ("“%s” is not an amount in yuan for %s: type it like 12.50"), text,
                       what);
  return TRUE;
}

/* A percentage with up to two decimals ("50", "12.5") into basis points;
 * empty is 0. */
static gboolean
read_percent (GtkWidget *widget, const char *what, gint64 *out_bp, GError **error)
{
  g_autofree char *text = editable_text (widget);

  *out_bp = 0;
  if (*text == '\0')
    return TRUE;
  if (g_str_has_suffix (text, "%"))
    {
      text[strlen (text) - 1] = '\0';
      g_strstrip (text);
    }
  if (!till_money_parse (text, out_bp, NULL))
    return form_error (error, _ ("“%s” is not a percentage for %s: type it like 15 or 12.5"), text,
                       what);
  return TRUE;
}

static gboolean
read_whole (GtkWidget *widget, const char *what, gint64 *out_value, GError **error)
{
  g_autofree char *text = editable_text (widget);
  guint64          value;

  *out_value = 0;
  if (*text == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL))
    return form_error (error, _ ("“%s” is not a whole number for %s"), text, what);
  *out_value = (gint64) value;
  return TRUE;
}

static gboolean
read_quantity (GtkWidget *widget, const char *what, gint64 *out_thousandths, GError **error)
{
  g_autofree char *text = editable_text (widget);

  *out_thousandths = 0;
  if (*text == '\0')
    return TRUE;
  if (!till_quantity_parse (text, out_thousandths, NULL))
    return form_error (error, _ ("“%s” is not a quantity for %s: type it like 2 or 0.5"), text,
                       what);
  return TRUE;
}

/* A list typed with commas (also the Chinese ， and 、); NULL when empty. */
static GStrv
read_list (GtkWidget *widget)
{
  g_autofree char *text = editable_text (widget);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = NULL;
  GString *normalized = g_string_new (text);

  g_string_replace (normalized, "，", ",", 0);
  g_string_replace (normalized, "、", ",", 0);
  g_string_replace (normalized, " ", ",", 0);
  parts = g_strsplit (normalized->str, ",", -1);
  g_string_free (normalized, TRUE);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_ptr_array_add (values, g_strdup (parts[i]));
    }
  if (values->len == 0)
    return NULL;
  g_ptr_array_add (values, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&values), FALSE);
}

/* "2026-12-01" at local midnight, in µs; the day after when @next_day (an
 * inclusive last day becomes the exclusive end). Empty is 0. */
static gboolean
read_date (GtkWidget *widget, const char *what, gboolean next_day, gint64 *out_us, GError **error)
{
  g_autofree char *text = editable_text (widget);
  g_autoptr (GDateTime) day = NULL;
  int  year, month, mday;
  char rest;

  *out_us = 0;
  if (*text == '\0')
    return TRUE;
  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &mday, &rest) != 3 ||
      !g_date_valid_dmy (mday, month, year))
    return form_error (error, _ ("“%s” is not a date for %s: type it like 2026-12-01"), text, what);
  day = g_date_time_new_local (year, month, mday, 0, 0, 0);
  if (day != NULL && next_day)
    {
      GDateTime *after = g_date_time_add_days (day, 1);

      g_date_time_unref (day);
      day = after;
    }
  if (day == NULL)
    return form_error (error, _ ("“%s” is not a date for %s: type it like 2026-12-01"), text, what);
  *out_us = g_date_time_to_unix (day) * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
parse_clock (const char *text, guint *out_minute)
{
  guint hours, minutes;
  char  rest;

  if (sscanf (text, "%2u:%2u%c", &hours, &minutes, &rest) != 2 || minutes > 59 || hours > 24 ||
      (hours == 24 && minutes != 0))
    return FALSE;
  *out_minute = hours * 60 + minutes;
  return TRUE;
}

/* "08:00-10:00, 22:00-02:00" (also with – or ~) into windows. */
static gboolean
read_windows (GtkWidget *widget, GArray *windows, GError **error)
{
  g_auto (GStrv) parts = read_list (widget);

  g_array_set_size (windows, 0);
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      g_autoptr (GString) span = g_string_new (parts[i]);
      g_auto (GStrv) ends = NULL;
      TillPromotionWindow window;

      g_string_replace (span, "–", "-", 0);
      g_string_replace (span, "~", "-", 0);
      g_string_replace (span, "～", "-", 0);
      ends = g_strsplit (span->str, "-", -1);
      if (g_strv_length (ends) != 2 || !parse_clock (g_strstrip (ends[0]), &window.start_minute) ||
          !parse_clock (g_strstrip (ends[1]), &window.end_minute))
        return form_error (error, _ ("“%s” is not a time window: type it like 08:00-10:00"),
                           parts[i]);
      g_array_append_val (windows, window);
    }
  return TRUE;
}

static TillPromotionKind
selected_kind (TillPromotionsView *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (field (self, "kind")));

  return selected < N_KINDS ? (TillPromotionKind) selected : TILL_PROMOTION_THRESHOLD;
}

static ThresholdMode
selected_threshold_mode (TillPromotionsView *self)
{
  return gtk_drop_down_get_selected (GTK_DROP_DOWN (field (self, "threshold-mode"))) == 1
             ? THRESHOLD_EVERY
             : THRESHOLD_TIERS;
}

/* The promotion the form describes; what it means is the core's to judge
 * (till_promotion_validate), only what cannot be read is refused here. */
static TillPromotion *
read_form (TillPromotionsView *self, GError **error)
{
  g_autofree char  *code = editable_text (field (self, "code"));
  g_autofree char  *name = editable_text (field (self, "name"));
  g_autofree char  *group = editable_text (field (self, "group"));
  TillPromotionKind kind = selected_kind (self);
  g_autoptr (TillPromotion) promotion = till_promotion_new (code, name, kind);
  gint64 priority = 0;
  gint64 percent = 0;
  guint  stacking = gtk_drop_down_get_selected (GTK_DROP_DOWN (field (self, "stacking")));

  {
    g_autofree char *text = editable_text (field (self, "priority"));
    gint64           value;

    if (*text != '\0' && !g_ascii_string_to_signed (text, 10, -1000000, 1000000, &value, NULL))
      {
        form_error (error, _ ("“%s” is not a whole number for the priority"), text);
        return NULL;
      }
    priority = *text != '\0' ? value : 0;
  }
  promotion->priority = (int) priority;
  promotion->stacking = stacking <= TILL_STACKING_EXCLUSIVE_GROUP ? stacking : TILL_STACKING_ALL;
  if (promotion->stacking == TILL_STACKING_EXCLUSIVE_GROUP)
    promotion->stacking_group = *group != '\0' ? g_strdup (group) : NULL;

  if ((PERCENT_KINDS & KIND_BIT (kind)) != 0 &&
      !read_percent (field (self, "percent"), _ ("the discount"), &percent, error))
    return NULL;
  promotion->percent_bp = percent;

  switch (kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      if (selected_threshold_mode (self) == THRESHOLD_EVERY)
        {
          if (!read_money (field (self, "every-amount"), _ ("every … spent"),
                           &promotion->every_amount, error) ||
              !read_money (field (self, "every-off"), _ ("… saves"), &promotion->every_off, error))
            return NULL;
          break;
        }
      for (guint i = 0; i < self->tier_rows->len; i++)
        {
          PairRow          *row = g_ptr_array_index (self->tier_rows, i);
          TillPromotionTier tier;
          g_autofree char  *min_text = editable_text (row->first);
          g_autofree char  *off_text = editable_text (row->second);

          if (*min_text == '\0' && *off_text == '\0')
            continue; /* an empty tier row is not a tier */
          if (!read_money (row->first, _ ("a tier’s spend"), &tier.min_amount, error) ||
              !read_money (row->second, _ ("a tier’s saving"), &tier.amount_off, error))
            return NULL;
          g_array_append_val (promotion->tiers, tier);
        }
      break;
    case TILL_PROMOTION_FIXED_PRICE:
      if (!read_money (field (self, "fixed-price"), _ ("the price"), &promotion->fixed_price,
                       error))
        return NULL;
      break;
    case TILL_PROMOTION_GIFT:
      {
        g_autofree char *sku = editable_text (field (self, "gift-sku"));

        promotion->gift_sku = *sku != '\0' ? g_strdup (sku) : NULL;
        if (!read_quantity (field (self, "gift-quantity"), _ ("the gift’s quantity"),
                            &promotion->gift_quantity, error))
          return NULL;
        break;
      }
    case TILL_PROMOTION_BUY_X_GET_Y:
      if (!read_whole (field (self, "buy"), _ ("buy"), &promotion->buy_quantity, error) ||
          !read_whole (field (self, "get"), _ ("get"), &promotion->get_quantity, error))
        return NULL;
      /* Left empty, the Y units are free. */
      if (promotion->percent_bp == 0)
        promotion->percent_bp = 10000;
      break;
    case TILL_PROMOTION_NTH_ITEM:
      if (!read_whole (field (self, "nth"), _ ("the nth item"), &promotion->nth_item, error))
        return NULL;
      break;
    case TILL_PROMOTION_MIX_AND_MATCH:
      if (!read_whole (field (self, "mix-quantity"), _ ("any … items"), &promotion->mix_quantity,
                       error) ||
          !read_money (field (self, "mix-price"), _ ("the price of the mix"), &promotion->mix_price,
                       error))
        return NULL;
      break;
    case TILL_PROMOTION_BUNDLE:
      {
        g_autoptr (GPtrArray) skus = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; i < self->bundle_rows->len; i++)
          {
            PairRow         *row = g_ptr_array_index (self->bundle_rows, i);
            g_autofree char *sku = editable_text (row->first);
            gint64           quantity;

            if (*sku == '\0')
              continue;
            if (!read_whole (row->second, _ ("a bundle item’s quantity"), &quantity, error))
              return NULL;
            g_ptr_array_add (skus, g_steal_pointer (&sku));
            g_array_append_val (promotion->bundle_quantities, quantity);
          }
        if (skus->len > 0)
          {
            g_ptr_array_add (skus, NULL);
            promotion->bundle_skus = (GStrv) g_ptr_array_free (g_steal_pointer (&skus), FALSE);
          }
        if (!read_money (field (self, "bundle-price"), _ ("the bundle’s price"),
                         &promotion->bundle_price, error))
          return NULL;
        break;
      }
    case TILL_PROMOTION_COUPON:
      {
        g_autofree char *coupon = editable_text (field (self, "coupon-code"));

        promotion->coupon_code = *coupon != '\0' ? g_strdup (coupon) : NULL;
        promotion->coupon_multi_use =
            gtk_check_button_get_active (GTK_CHECK_BUTTON (field (self, "multi-use")));
        if (!read_money (field (self, "amount-off"), _ ("the coupon’s amount"),
                         &promotion->amount_off, error))
          return NULL;
        break;
      }
    case TILL_PROMOTION_PERCENT_OFF:
    case TILL_PROMOTION_MEMBER_PRICE:
    case TILL_PROMOTION_TIER_DISCOUNT:
    case TILL_PROMOTION_SALE_DISCOUNT:
    default:
      break;
    }

  if ((TARGET_KINDS & KIND_BIT (kind)) != 0)
    {
      promotion->skus = read_list (field (self, "skus"));
      promotion->categories = read_list (field (self, "categories"));
      promotion->brands = read_list (field (self, "brands"));
    }
  promotion->excluded_skus = read_list (field (self, "excluded"));

  if (!read_date (field (self, "from"), _ ("valid from"), FALSE, &promotion->valid_from_us,
                  error) ||
      !read_date (field (self, "until"), _ ("valid until"), TRUE, &promotion->valid_until_us,
                  error) ||
      !read_windows (field (self, "windows"), promotion->windows, error))
    return NULL;
  promotion->weekdays = 0;
  for (guint day = 1; day <= 7; day++)
    if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->weekday_toggles[day])))
      promotion->weekdays |= 1u << day;
  promotion->member_only =
      gtk_check_button_get_active (GTK_CHECK_BUTTON (field (self, "member-only")));
  promotion->tiers_only = read_list (field (self, "member-tiers"));
  if (!read_quantity (field (self, "min-quantity"), _ ("the minimum quantity"),
                      &promotion->min_quantity, error) ||
      !read_money (field (self, "min-amount"), _ ("the minimum spend"), &promotion->min_amount,
                   error) ||
      !read_whole (field (self, "per-sale"), _ ("the limit per sale"), &promotion->per_sale_limit,
                   error) ||
      !read_whole (field (self, "per-member"), _ ("the limit per member"),
                   &promotion->per_member_limit, error))
    return NULL;
  promotion->stores = read_list (field (self, "stores"));
  promotion->store_groups = read_list (field (self, "store-groups"));
  return g_steal_pointer (&promotion);
}

/* ---- The form's growing lists -------------------------------------------------- */

static GtkWidget *
new_entry (const char *placeholder, GtkInputPurpose purpose)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_size_request (entry, -1, 48);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), purpose);
  if (placeholder != NULL)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  return entry;
}

static GtkWidget *
new_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* The remove buttons name their row by index: renumber after a removal. */
static void
renumber (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      PairRow *row = g_ptr_array_index (rows, i);

      gtk_actionable_set_action_target (GTK_ACTIONABLE (row->remove), "u", i);
    }
}

static PairRow *
add_pair_row (GtkWidget  *box,
              GPtrArray  *rows,
              const char *first_label,
              const char *second_label,
              const char *remove_action,
              gboolean    money)
{
  PairRow *row = g_new0 (PairRow, 1);

  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  row->first = new_entry (NULL, money ? GTK_INPUT_PURPOSE_NUMBER : GTK_INPUT_PURPOSE_FREE_FORM);
  row->second = new_entry (NULL, GTK_INPUT_PURPOSE_NUMBER);
  row->remove = gtk_button_new_with_label (_ ("Remove"));
  gtk_widget_set_hexpand (row->first, TRUE);
  gtk_widget_set_hexpand (row->second, TRUE);
  gtk_widget_set_size_request (row->remove, 96, 48);
  /* The target first: an action with a parameter is never set up without one. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->remove), "u", rows->len);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->remove), remove_action);
  gtk_box_append (GTK_BOX (row->box), new_label (first_label, NULL));
  gtk_box_append (GTK_BOX (row->box), row->first);
  gtk_box_append (GTK_BOX (row->box), new_label (second_label, NULL));
  gtk_box_append (GTK_BOX (row->box), row->second);
  gtk_box_append (GTK_BOX (row->box), row->remove);
  gtk_box_append (GTK_BOX (box), row->box);
  g_ptr_array_add (rows, row);
  renumber (rows);
  return row;
}

static void
remove_pair_row (GtkWidget *box, GPtrArray *rows, guint index)
{
  PairRow *row;

  if (index >= rows->len)
    return;
  row = g_ptr_array_index (rows, index);
  gtk_box_remove (GTK_BOX (box), row->box);
  g_ptr_array_remove_index (rows, index);
  renumber (rows);
}

static void
clear_pair_rows (GtkWidget *box, GPtrArray *rows)
{
  while (rows->len > 0)
    remove_pair_row (box, rows, rows->len - 1);
}

static PairRow *
add_tier_row (TillPromotionsView *self)
{
  /* TRANSLATORS: a 满减 tier reads "Spend ￥ [200] save ￥ [30]" */
  return add_pair_row (self->tier_box, self->tier_rows, _ ("Spend ￥"), _ ("save ￥"),
                       "promotions.remove-tier", TRUE);
}

static PairRow *
add_bundle_row (TillPromotionsView *self)
{
  return add_pair_row (self->bundle_box, self->bundle_rows, _ ("SKU"), _ ("Number of items"),
                       "promotions.remove-bundle-item", FALSE);
}

/* ---- Filling the form ------------------------------------------------------------ */

/* Shows the rows the chosen kind (and 满减 mode, and stacking) uses. */
static void
update_form_visibility (TillPromotionsView *self)
{
  TillPromotionKind kind = selected_kind (self);
  ThresholdMode     mode = selected_threshold_mode (self);
  gboolean grouped = gtk_drop_down_get_selected (GTK_DROP_DOWN (field (self, "stacking"))) ==
                     TILL_STACKING_EXCLUSIVE_GROUP;

  for (guint i = 0; i < self->form_rows->len; i++)
    {
      FormRow *row = &g_array_index (self->form_rows, FormRow, i);
      gboolean visible = row->kinds == ALL_KINDS || (row->kinds & KIND_BIT (kind)) != 0;

      if (visible && row->mode != THRESHOLD_ANY && kind == TILL_PROMOTION_THRESHOLD)
        visible = row->mode == mode;
      if (row->field == field (self, "group"))
        visible = grouped;
      if (row->label != NULL)
        gtk_widget_set_visible (row->label, visible);
      gtk_widget_set_visible (row->field, visible);
    }

  switch (kind)
    {
    case TILL_PROMOTION_BUY_X_GET_Y:
      gtk_label_set_text (GTK_LABEL (self->percent_label),
                          _ ("The Y items: percent off (100 = free)"));
      break;
    case TILL_PROMOTION_NTH_ITEM:
      gtk_label_set_text (GTK_LABEL (self->percent_label), _ ("The nth item: percent off"));
      break;
    case TILL_PROMOTION_COUPON:
      gtk_label_set_text (GTK_LABEL (self->percent_label), _ ("Or percent off"));
      break;
    default:
      gtk_label_set_text (GTK_LABEL (self->percent_label), _ ("Discount (percent)"));
      break;
    }
}

static void
fill_form (TillPromotionsView *self, const TillPromotion *promotion)
{
  g_autofree char *priority = g_strdup_printf ("%d", promotion->priority);
  g_autofree char *percent = NULL;
  gboolean         every = promotion->every_amount != 0 || promotion->every_off != 0;

  set_text (field (self, "code"), promotion->code);
  set_text (field (self, "name"), promotion->name);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field (self, "kind")), promotion->kind);
  set_text (field (self, "priority"), priority);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field (self, "stacking")), promotion->stacking);
  set_text (field (self, "group"), promotion->stacking_group);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field (self, "threshold-mode")),
                              every ? THRESHOLD_EVERY : THRESHOLD_TIERS);

  /* Buy X get Y free is the default: show its 100 % as an empty field. */
  percent = promotion->percent_bp == 0 || (promotion->kind == TILL_PROMOTION_BUY_X_GET_Y &&
                                           promotion->percent_bp == 10000)
                ? g_strdup ("")
                : format_percent (promotion->percent_bp);
  set_text (field (self, "percent"), percent);

  clear_pair_rows (self->tier_box, self->tier_rows);
  for (guint i = 0; promotion->tiers != NULL && i < promotion->tiers->len; i++)
    {
      const TillPromotionTier *tier = &g_array_index (promotion->tiers, TillPromotionTier, i);
      PairRow                 *row = add_tier_row (self);
      g_autofree char         *min = till_money_format (tier->min_amount);
      g_autofree char         *off = till_money_format (tier->amount_off);

      set_text (row->first, min);
      set_text (row->second, off);
    }
  if (self->tier_rows->len == 0)
    add_tier_row (self);

  clear_pair_rows (self->bundle_box, self->bundle_rows);
  for (guint i = 0; promotion->bundle_skus != NULL && promotion->bundle_skus[i] != NULL; i++)
    {
      PairRow *row = add_bundle_row (self);
      gint64   quantity =
          promotion->bundle_quantities != NULL && i < promotion->bundle_quantities->len
                ? g_array_index (promotion->bundle_quantities, gint64, i)
                : 0;
      g_autofree char *text = format_int_or_empty (quantity);

      set_text (row->first, promotion->bundle_skus[i]);
      set_text (row->second, text);
    }
  if (self->bundle_rows->len == 0)
    add_bundle_row (self);

  {
    struct
    {
      const char *name;
      char       *text;
    } texts[] = {
      { "every-amount", format_fen_or_empty (promotion->every_amount) },
      { "every-off", format_fen_or_empty (promotion->every_off) },
      { "fixed-price", format_fen_or_empty (promotion->fixed_price) },
      { "gift-sku", g_strdup (promotion->gift_sku != NULL ? promotion->gift_sku : "") },
      { "gift-quantity", format_quantity_or_empty (promotion->gift_quantity) },
      { "buy", format_int_or_empty (promotion->buy_quantity) },
      { "get", format_int_or_empty (promotion->get_quantity) },
      { "nth", format_int_or_empty (promotion->nth_item) },
      { "mix-quantity", format_int_or_empty (promotion->mix_quantity) },
      { "mix-price", format_fen_or_empty (promotion->mix_price) },
      { "bundle-price", format_fen_or_empty (promotion->bundle_price) },
      { "coupon-code", g_strdup (promotion->coupon_code != NULL ? promotion->coupon_code : "") },
      { "amount-off", format_fen_or_empty (promotion->amount_off) },
      { "skus", join_or_empty (promotion->skus) },
      { "categories", join_or_empty (promotion->categories) },
      { "brands", join_or_empty (promotion->brands) },
      { "excluded", join_or_empty (promotion->excluded_skus) },
      { "from", format_date_or_empty (promotion->valid_from_us, FALSE) },
      { "until", format_date_or_empty (promotion->valid_until_us, TRUE) },
      { "member-tiers", join_or_empty (promotion->tiers_only) },
      { "min-quantity", format_quantity_or_empty (promotion->min_quantity) },
      { "min-amount", format_fen_or_empty (promotion->min_amount) },
      { "per-sale", format_int_or_empty (promotion->per_sale_limit) },
      { "per-member", format_int_or_empty (promotion->per_member_limit) },
      { "stores", join_or_empty (promotion->stores) },
      { "store-groups", join_or_empty (promotion->store_groups) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        set_text (field (self, texts[i].name), texts[i].text);
        g_free (texts[i].text);
      }
  }
  {
    g_autoptr (GString) windows = g_string_new (NULL);

    for (guint i = 0; promotion->windows != NULL && i < promotion->windows->len; i++)
      {
        const TillPromotionWindow *window =
            &g_array_index (promotion->windows, TillPromotionWindow, i);

        g_string_append_printf (windows, "%s%02u:%02u-%02u:%02u", i > 0 ? ", " : "",
                                window->start_minute / 60, window->start_minute % 60,
                                window->end_minute / 60, window->end_minute % 60);
      }
    set_text (field (self, "windows"), windows->str);
  }
  for (guint day = 1; day <= 7; day++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->weekday_toggles[day]),
                                  (promotion->weekdays & (1u << day)) != 0);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (field (self, "multi-use")),
                               promotion->coupon_multi_use);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (field (self, "member-only")),
                               promotion->member_only);
  update_form_visibility (self);
}

/* Opens the form on @promotion; @editing_code the till's own code it
 * replaces, NULL for a new one (then the code may be typed). */
static void
open_form (TillPromotionsView *self, const TillPromotion *promotion, const char *editing_code)
{
  g_autofree char *title = NULL;

  g_free (self->editing_code);
  self->editing_code = g_strdup (editing_code);
  gtk_widget_set_visible (self->confirm_box, FALSE);
  fill_form (self, promotion);
  gtk_editable_set_editable (GTK_EDITABLE (field (self, "code")), editing_code == NULL);
  gtk_widget_set_sensitive (field (self, "code"), editing_code == NULL);
  if (editing_code != NULL)
    title = g_strdup_printf (_ ("Edit “%s” (%s)"), promotion->name, promotion->code);
  else if (promotion->code != NULL && *promotion->code != '\0')
    title = g_strdup_printf (_ ("This store’s own version of HQ’s “%s” (%s)"), promotion->name,
                             promotion->code);
  else
    title = g_strdup (_ ("New promotion"));
  gtk_label_set_text (GTK_LABEL (self->form_title), title);
  gtk_widget_set_visible (self->new_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->mode_stack), "form");
  gtk_adjustment_set_value (
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->form_scroller)), 0);
}

static void
show_list (TillPromotionsView *self)
{
  g_clear_pointer (&self->editing_code, g_free);
  gtk_widget_set_visible (self->new_button, self->may_manage);
  gtk_stack_set_visible_child_name (GTK_STACK (self->mode_stack), "list");
  refresh (self);
}

/* ---- The list ------------------------------------------------------------------- */

static const char *
weekday_label (guint day)
{
  switch (day)
    {
    case 1:
      return _ ("Mon");
    case 2:
      return _ ("Tue");
    case 3:
      return _ ("Wed");
    case 4:
      return _ ("Thu");
    case 5:
      return _ ("Fri");
    case 6:
      return _ ("Sat");
    default:
      return _ ("Sun");
    }
}

/* What the promotion gives, on what, when: one line for the list. */
static char *
summarize (const TillPromotion *promotion)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *percent = format_percent (promotion->percent_bp);

  switch (promotion->kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      if (promotion->every_amount != 0)
        {
          g_autofree char *every = till_money_format_yuan (promotion->every_amount);
          g_autofree char *off = till_money_format_yuan (promotion->every_off);

          g_ptr_array_add (parts, g_strdup_printf (_ ("every %s spent saves %s"), every, off));
        }
      for (guint i = 0; promotion->tiers != NULL && i < promotion->tiers->len; i++)
        {
          const TillPromotionTier *tier = &g_array_index (promotion->tiers, TillPromotionTier, i);
          g_autofree char         *min = till_money_format_yuan (tier->min_amount);
          g_autofree char         *off = till_money_format_yuan (tier->amount_off);

          /* TRANSLATORS: a 满减 tier: "spend ￥100.00 save ￥10.00" (满100减10) */
          g_ptr_array_add (parts, g_strdup_printf (_ ("spend %s save %s"), min, off));
        }
      break;
    case TILL_PROMOTION_PERCENT_OFF:
    case TILL_PROMOTION_SALE_DISCOUNT:
      g_ptr_array_add (parts, g_strdup_printf (_ ("%s%% off"), percent));
      break;
    case TILL_PROMOTION_FIXED_PRICE:
      {
        g_autofree char *price = till_money_format_yuan (promotion->fixed_price);

        g_ptr_array_add (parts, g_strdup_printf (_ ("%s each"), price));
        break;
      }
    case TILL_PROMOTION_GIFT:
      {
        g_autofree char *quantity = till_quantity_format (promotion->gift_quantity);

        g_ptr_array_add (parts,
                         g_strdup_printf (_ ("gift %s × %s"), promotion->gift_sku, quantity));
        break;
      }
    case TILL_PROMOTION_BUY_X_GET_Y:
      if (promotion->percent_bp >= 10000)
        g_ptr_array_add (parts, g_strdup_printf (_ ("buy %" PRId64 " get %" PRId64 " free"),
                                                 promotion->buy_quantity, promotion->get_quantity));
      else
        g_ptr_array_add (parts, g_strdup_printf (_ ("buy %" PRId64 " get %" PRId64 " at %s%% off"),
                                                 promotion->buy_quantity, promotion->get_quantity,
                                                 percent));
      break;
    case TILL_PROMOTION_NTH_ITEM:
      g_ptr_array_add (parts, g_strdup_printf (_ ("item %" PRId64 " at %s%% off"),
                                               promotion->nth_item, percent));
      break;
    case TILL_PROMOTION_MIX_AND_MATCH:
      {
        g_autofree char *price = till_money_format_yuan (promotion->mix_price);

        g_ptr_array_add (
            parts, g_strdup_printf (_ ("any %" PRId64 " for %s"), promotion->mix_quantity, price));
        break;
      }
    case TILL_PROMOTION_BUNDLE:
      {
        g_autofree char *price = till_money_format_yuan (promotion->bundle_price);
        g_autofree char *skus = join_or_empty (promotion->bundle_skus);

        g_ptr_array_add (parts, g_strdup_printf (_ ("%s for %s"), skus, price));
        break;
      }
    case TILL_PROMOTION_MEMBER_PRICE:
      g_ptr_array_add (parts, g_strdup (_ ("members pay the member price")));
      break;
    case TILL_PROMOTION_TIER_DISCOUNT:
      {
        g_autofree char *tiers = join_or_empty (promotion->tiers_only);

        g_ptr_array_add (parts, g_strdup_printf (_ ("%s%% off for %s"), percent, tiers));
        break;
      }
    case TILL_PROMOTION_COUPON:
      {
        g_autofree char *off = promotion->amount_off != 0
                                   ? till_money_format_yuan (promotion->amount_off)
                                   : g_strdup_printf ("%s%%", percent);

        g_ptr_array_add (parts, g_strdup_printf (promotion->coupon_multi_use
                                                     ? _ ("code %s, %s off, reusable")
                                                     : _ ("code %s, %s off, once"),
                                                 promotion->coupon_code, off));
        break;
      }
    default:
      break;
    }

  if (promotion->skus != NULL || promotion->categories != NULL || promotion->brands != NULL)
    {
      g_autoptr (GPtrArray) targets = g_ptr_array_new ();

      for (guint i = 0; promotion->skus != NULL && promotion->skus[i] != NULL; i++)
        g_ptr_array_add (targets, promotion->skus[i]);
      for (guint i = 0; promotion->categories != NULL && promotion->categories[i] != NULL; i++)
        g_ptr_array_add (targets, promotion->categories[i]);
      for (guint i = 0; promotion->brands != NULL && promotion->brands[i] != NULL; i++)
        g_ptr_array_add (targets, promotion->brands[i]);
      g_ptr_array_add (targets, NULL);
      {
        g_autofree char *joined = g_strjoinv (", ", (GStrv) targets->pdata);

        g_ptr_array_add (parts, g_strdup_printf (_ ("on %s"), joined));
      }
    }
  if (promotion->valid_from_us != 0 || promotion->valid_until_us != 0)
    {
      g_autofree char *from = format_date_or_empty (promotion->valid_from_us, FALSE);
      g_autofree char *until = format_date_or_empty (promotion->valid_until_us, TRUE);

      g_ptr_array_add (parts, g_strdup_printf ("%s – %s", from, until));
    }
  if (promotion->weekdays != 0)
    {
      g_autoptr (GString) days = g_string_new (NULL);

      for (guint day = 1; day <= 7; day++)
        if ((promotion->weekdays & (1u << day)) != 0)
          g_string_append_printf (days, "%s%s", days->len > 0 ? " " : "", weekday_label (day));
      g_ptr_array_add (parts, g_string_free (g_steal_pointer (&days), FALSE));
    }
  for (guint i = 0; promotion->windows != NULL && i < promotion->windows->len; i++)
    {
      const TillPromotionWindow *window =
          &g_array_index (promotion->windows, TillPromotionWindow, i);

      g_ptr_array_add (parts, g_strdup_printf ("%02u:%02u–%02u:%02u", window->start_minute / 60,
                                               window->start_minute % 60, window->end_minute / 60,
                                               window->end_minute % 60));
    }
  if (promotion->member_only)
    g_ptr_array_add (parts, g_strdup (_ ("members only")));
  if (promotion->min_amount != 0)
    {
      g_autofree char *min = till_money_format_yuan (promotion->min_amount);

      g_ptr_array_add (parts, g_strdup_printf (_ ("from %s"), min));
    }
  if (promotion->per_sale_limit != 0)
    g_ptr_array_add (
        parts, g_strdup_printf (_ ("at most %" PRId64 " per sale"), promotion->per_sale_limit));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (GStrv) parts->pdata);
}

static const char *
source_badge (TillPromotionSource source)
{
  /* TRANSLATORS: the badge of a promotion HQ sent (总部) or the store's own (本店) */
  return source == TILL_PROMOTION_SOURCE_LOCAL ? _ ("This store") : _ ("HQ");
}

static const char *
state_text (const TillPromotionListing *listing)
{
  if (listing->overridden)
    return _ ("Replaced here");
  return listing->active_now ? _ ("Active now") : _ ("Not active now");
}

/* Not red: the red button is the confirmation's (promotions.confirm-delete). */
static GtkWidget *
new_row_button (const char *label, const char *action, const char *code)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", code);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 96, 48);
  return button;
}

static GtkWidget *
new_promotion_row (TillPromotionsView *self, const TillPromotionListing *listing)
{
  const TillPromotion *promotion = listing->promotion;
  GtkWidget           *row = gtk_list_box_row_new ();
  GtkWidget           *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget           *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget           *badge;
  GtkWidget           *state;
  GtkWidget           *detail_label;
  g_autofree char     *summary = summarize (promotion);
  g_autofree char     *title = g_strdup_printf ("%s  (%s)", promotion->name, promotion->code);
  g_autofree char     *detail =
      g_strdup_printf ("%s · %s", till_promotion_kind_get_label (promotion->kind), summary);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_size_request (box, -1, 60);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (text), new_label (title, "heading"));
  detail_label = new_label (detail, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (detail_label), TRUE);
  gtk_box_append (GTK_BOX (text), detail_label);
  gtk_box_append (GTK_BOX (box), text);

  badge = gtk_label_new (source_badge (listing->source));
  gtk_widget_add_css_class (badge, "heading");
  gtk_widget_add_css_class (badge,
                            listing->source == TILL_PROMOTION_SOURCE_LOCAL ? "success" : "accent");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (badge, 64, -1);
  gtk_box_append (GTK_BOX (box), badge);

  state = gtk_label_new (state_text (listing));
  gtk_widget_add_css_class (state, listing->active_now ? "success" : "dim-label");
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (state, 96, -1);
  gtk_box_append (GTK_BOX (box), state);

  if (self->may_manage && listing->editable)
    {
      gtk_box_append (GTK_BOX (box),
                      new_row_button (_ ("Edit"), "promotions.edit", promotion->code));
      gtk_box_append (GTK_BOX (box),
                      new_row_button (_ ("Delete"), "promotions.delete", promotion->code));
    }
  else if (self->may_manage && !listing->overridden)
    gtk_box_append (GTK_BOX (box),
                    new_row_button (_ ("Change here"), "promotions.override", promotion->code));

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_hash_table_insert (
      self->row_texts,
      g_strdup_printf ("%s:%s", listing->source == TILL_PROMOTION_SOURCE_LOCAL ? "local" : "hq",
                       promotion->code),
      g_strdup_printf ("%s\n%s\n%s\n%s", title, detail, source_badge (listing->source),
                       state_text (listing)));
  return row;
}

static GPtrArray *
list_promotions (TillPromotionsView *self, GError **error)
{
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;

  if (!till_promotion_read_scope (get_store (self), &store_id, &group_id, error))
    return NULL;
  return till_promotion_list_for_editing (get_store (self), store_id, group_id, error);
}

/* Reads the list again from the store: after each change, so the screen
 * shows what the till holds. */
static void
refresh (TillPromotionsView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listings = NULL;
  GtkWidget *child;

  g_hash_table_remove_all (self->row_texts);
  while ((child = gtk_widget_get_first_child (self->promotion_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->promotion_list), child);
  if (self->session == NULL)
    return;
  listings = list_promotions (self, &error);
  if (listings == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  for (guint i = 0; i < listings->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->promotion_list),
                         new_promotion_row (self, g_ptr_array_index (listings, i)));
  gtk_stack_set_visible_child_name (GTK_STACK (self->list_stack),
                                    listings->len > 0 ? "rows" : "empty");
}

/* The listing of @code from HQ (@hq) or the till; NULL when there is none. */
static TillPromotion *
find_promotion (TillPromotionsView *self, const char *code, gboolean hq, GError **error)
{
  g_autoptr (GPtrArray) listings = list_promotions (self, error);

  if (listings == NULL)
    return NULL;
  for (guint i = 0; i < listings->len; i++)
    {
      TillPromotionListing *listing = g_ptr_array_index (listings, i);

      if (g_strcmp0 (listing->promotion->code, code) == 0 &&
          (listing->source == TILL_PROMOTION_SOURCE_LOCAL) != hq && !listing->overridden)
        return till_promotion_copy (listing->promotion);
    }
  g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_FAILED,
               _ ("There is no promotion with the code %s"), code);
  return NULL;
}

/* The sale screen prices with the new set from the next scan on. */
static void
reload_cart (TillPromotionsView *self)
{
  g_autoptr (GError) error = NULL;
  TillCart *cart = till_session_get_cart (self->session);

  if (cart != NULL && !till_cart_reload_promotions (cart, &error))
    g_warning ("The sale screen keeps the old promotions: %s", error->message);
}

/* ---- Actions ---------------------------------------------------------------------- */

static gboolean
need_manager (TillPromotionsView *self)
{
  if (self->may_manage && get_user (self) != NULL)
    return TRUE;
  set_message (self, _ ("Only a manager can change promotions"), TRUE);
  return FALSE;
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);

  till_promotions_view_reset (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  g_autoptr (TillPromotion) blank = till_promotion_new ("", "", TILL_PROMOTION_THRESHOLD);

  if (!need_manager (self))
    return;
  set_message (self, NULL, FALSE);
  open_form (self, blank, NULL);
  gtk_widget_grab_focus (field (self, "code"));
}

static void
edit_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  const char         *code = g_variant_get_string (parameter, NULL);
  gboolean            hq = g_str_equal (action_name, "promotions.override");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;

  if (!need_manager (self))
    return;
  promotion = find_promotion (self, code, hq, &error);
  if (promotion == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  set_message (self, NULL, FALSE);
  open_form (self, promotion, hq ? NULL : code);
}

static void
delete_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  const char         *code = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;
  g_autofree char *question = NULL;

  if (!need_manager (self))
    return;
  promotion = find_promotion (self, code, FALSE, &error);
  if (promotion == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  g_free (self->pending_delete);
  self->pending_delete = g_strdup (code);
  question =
      g_strdup_printf (_ ("Delete the promotion “%s” (%s)? Sales from now on go without it."),
                       promotion->name, promotion->code);
  gtk_label_set_text (GTK_LABEL (self->confirm_label), question);
  gtk_widget_set_visible (self->confirm_box, TRUE);
}

static void
cancel_delete_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);

  g_clear_pointer (&self->pending_delete, g_free);
  gtk_widget_set_visible (self->confirm_box, FALSE);
}

static void
confirm_delete_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = g_steal_pointer (&self->pending_delete);

  gtk_widget_set_visible (self->confirm_box, FALSE);
  if (code == NULL || !need_manager (self))
    return;
  if (!till_promotion_delete_local (get_store (self), till_session_get_journal (self->session),
                                    get_user (self), NULL, code, &error))
    {
      set_message (self, error->message, TRUE);
      refresh (self);
      return;
    }
  {
    g_autofree char *done = g_strdup_printf (_ ("The promotion %s is deleted"), code);

    reload_cart (self);
    refresh (self);
    set_message (self, done, FALSE);
  }
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;
  g_autofree char *done = NULL;

  if (!need_manager (self))
    return;
  promotion = read_form (self, &error);
  /* The core validates: a refusal keeps the form open with its reason. */
  if (promotion == NULL ||
      !till_promotion_save_local (get_store (self), till_session_get_journal (self->session),
                                  get_user (self), NULL, promotion, &error))
    {
      set_message (self, error->message, TRUE);
      return;
    }
  done = g_strdup_printf (_ ("The promotion “%s” (%s) is saved"), promotion->name, promotion->code);
  reload_cart (self);
  show_list (self);
  set_message (self, done, FALSE);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);

  set_message (self, NULL, FALSE);
  show_list (self);
}

static void
add_tier_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  PairRow            *row = add_tier_row (self);

  gtk_widget_grab_focus (row->first);
}

static void
remove_tier_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);

  remove_pair_row (self->tier_box, self->tier_rows, g_variant_get_uint32 (parameter));
}

static void
add_bundle_item_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);
  PairRow            *row = add_bundle_row (self);

  gtk_widget_grab_focus (row->first);
}

static void
remove_bundle_item_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (widget);

  remove_pair_row (self->bundle_box, self->bundle_rows, g_variant_get_uint32 (parameter));
}

static void
form_choice_changed_cb (TillPromotionsView *self)
{
  /* The choices change while the form is still being built. */
  if (g_hash_table_contains (self->fields, "store-groups"))
    update_form_visibility (self);
}

/* ---- Building the form ------------------------------------------------------------- */

typedef struct
{
  TillPromotionsView *self;
  GtkWidget          *grid;
  int                 row;
  GtkWidget          *last_field; /* the last full-width field, which beside() halves */
  gboolean            beside;
} FormBuilder;

/* The next row goes to the right half of the last one: two short fields
 * share a line, so that the form fits on fewer screens. */
static void
beside (FormBuilder *builder)
{
  builder->beside = TRUE;
}

static void
begin_section (FormBuilder *builder, TillPromotionsView *self, const char *title)
{
  GtkWidget *heading = new_label (title, "title-4");

  gtk_widget_set_margin_top (heading, 12);
  gtk_box_append (GTK_BOX (self->form_box), heading);
  builder->self = self;
  builder->grid = gtk_grid_new ();
  builder->row = 0;
  builder->last_field = NULL;
  builder->beside = FALSE;
  gtk_grid_set_row_spacing (GTK_GRID (builder->grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (builder->grid), 12);
  gtk_box_append (GTK_BOX (self->form_box), builder->grid);
}

/* One labelled row; @name registers the field for tests. */
static GtkWidget *
add_row (FormBuilder  *builder,
         const char   *label_text,
         const char   *name,
         GtkWidget    *widget,
         guint         kinds,
         ThresholdMode mode)
{
  FormRow  row = { NULL, widget, kinds, mode };
  gboolean right = builder->beside && builder->last_field != NULL;
  int      line = right ? builder->row - 1 : builder->row;

  if (right)
    {
      GtkLayoutManager *layout = gtk_widget_get_layout_manager (builder->grid);

      gtk_grid_layout_child_set_column_span (
          GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, builder->last_field)),
          1);
    }
  if (label_text != NULL)
    {
      row.label = gtk_label_new (label_text);
      gtk_label_set_xalign (GTK_LABEL (row.label), 1);
      gtk_label_set_wrap (GTK_LABEL (row.label), TRUE);
      gtk_widget_set_size_request (row.label, right ? 160 : 200, -1);
      gtk_grid_attach (GTK_GRID (builder->grid), row.label, right ? 2 : 0, line, 1, 1);
    }
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_grid_attach (GTK_GRID (builder->grid), widget, right ? 3 : 1, line, right ? 1 : 3, 1);
  if (!right)
    builder->row++;
  builder->last_field = right ? NULL : widget;
  builder->beside = FALSE;
  if (name != NULL)
    g_hash_table_insert (builder->self->fields, g_strdup (name), widget);
  g_array_append_val (builder->self->form_rows, row);
  return widget;
}

static GtkWidget *
add_entry (FormBuilder *builder,
           const char  *label_text,
           const char  *name,
           const char  *placeholder,
           guint        kinds)
{
  GtkInputPurpose purpose = GTK_INPUT_PURPOSE_FREE_FORM;

  return add_row (builder, label_text, name, new_entry (placeholder, purpose), kinds,
                  THRESHOLD_ANY);
}

static GtkWidget *
new_drop_down (const char *const *labels)
{
  GtkWidget *drop_down = gtk_drop_down_new_from_strings (labels);

  gtk_widget_set_size_request (drop_down, -1, 48);
  return drop_down;
}

static GtkWidget *
new_check (const char *label)
{
  GtkWidget *check = gtk_check_button_new_with_label (label);

  gtk_widget_set_size_request (check, -1, 48);
  return check;
}

static GtkWidget *
new_add_button (const char *label, const char *action)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_size_request (button, 160, 48);
  return button;
}

static void
build_form (TillPromotionsView *self)
{
  FormBuilder builder;
  const char *kind_labels[N_KINDS + 1];
  const char *stacking_labels[] = { _ ("Stacks with all others"), _ ("Alone (exclusive)"),
                                    _ ("One per group"), NULL };
  const char *threshold_labels[] = { _ ("Tiers (满减)"), _ ("Every X save Y"), NULL };
  GtkWidget  *widget;
  GtkWidget  *weekdays;

  for (guint kind = 0; kind < N_KINDS; kind++)
    kind_labels[kind] = till_promotion_kind_get_label (kind);
  kind_labels[N_KINDS] = NULL;

  begin_section (&builder, self, _ ("The promotion"));
  add_entry (&builder, _ ("Promotion code"), "code", _ ("e.g. P2026-001"), ALL_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Name (on the receipt)"), "name", _ ("e.g. 满100减10"), ALL_KINDS);
  widget =
      add_row (&builder, _ ("Kind"), "kind", new_drop_down (kind_labels), ALL_KINDS, THRESHOLD_ANY);
  g_signal_connect_swapped (widget, "notify::selected", G_CALLBACK (form_choice_changed_cb), self);
  beside (&builder);
  add_entry (&builder, _ ("Priority (higher first)"), "priority", "0", ALL_KINDS);
  widget = add_row (&builder, _ ("Stacking"), "stacking", new_drop_down (stacking_labels),
                    ALL_KINDS, THRESHOLD_ANY);
  g_signal_connect_swapped (widget, "notify::selected", G_CALLBACK (form_choice_changed_cb), self);
  beside (&builder);
  add_entry (&builder, _ ("Group"), "group", _ ("e.g. drinks"), ALL_KINDS);

  begin_section (&builder, self, _ ("What it gives"));
  widget = add_row (&builder, _ ("Spend and save by"), "threshold-mode",
                    new_drop_down (threshold_labels), KIND_BIT (TILL_PROMOTION_THRESHOLD),
                    THRESHOLD_ANY);
  g_signal_connect_swapped (widget, "notify::selected", G_CALLBACK (form_choice_changed_cb), self);
  self->tier_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  add_row (&builder, _ ("Tiers"), NULL, self->tier_box, KIND_BIT (TILL_PROMOTION_THRESHOLD),
           THRESHOLD_TIERS);
  add_row (&builder, NULL, NULL, new_add_button (_ ("Add a tier"), "promotions.add-tier"),
           KIND_BIT (TILL_PROMOTION_THRESHOLD), THRESHOLD_TIERS);
  add_row (&builder, _ ("Every (yuan)"), "every-amount",
           new_entry ("100.00", GTK_INPUT_PURPOSE_NUMBER), KIND_BIT (TILL_PROMOTION_THRESHOLD),
           THRESHOLD_EVERY);
  beside (&builder);
  add_row (&builder, _ ("Saves (yuan)"), "every-off", new_entry ("10.00", GTK_INPUT_PURPOSE_NUMBER),
           KIND_BIT (TILL_PROMOTION_THRESHOLD), THRESHOLD_EVERY);
  add_entry (&builder, _ ("Discount (percent)"), "percent", _ ("e.g. 20 or 12.5"), PERCENT_KINDS);
  self->percent_label = g_array_index (self->form_rows, FormRow, self->form_rows->len - 1).label;
  add_entry (&builder, _ ("Price each (yuan)"), "fixed-price", "9.90",
             KIND_BIT (TILL_PROMOTION_FIXED_PRICE));
  add_entry (&builder, _ ("Gift SKU"), "gift-sku", NULL, KIND_BIT (TILL_PROMOTION_GIFT));
  beside (&builder);
  add_entry (&builder, _ ("Gift quantity"), "gift-quantity", "1", KIND_BIT (TILL_PROMOTION_GIFT));
  add_entry (&builder, _ ("Buy (items)"), "buy", "2", KIND_BIT (TILL_PROMOTION_BUY_X_GET_Y));
  beside (&builder);
  add_entry (&builder, _ ("Get (items)"), "get", "1", KIND_BIT (TILL_PROMOTION_BUY_X_GET_Y));
  add_entry (&builder, _ ("Which item (2 = the second)"), "nth", "2",
             KIND_BIT (TILL_PROMOTION_NTH_ITEM));
  add_entry (&builder, _ ("Any (items)"), "mix-quantity", "3",
             KIND_BIT (TILL_PROMOTION_MIX_AND_MATCH));
  beside (&builder);
  add_entry (&builder, _ ("For (yuan)"), "mix-price", "10.00",
             KIND_BIT (TILL_PROMOTION_MIX_AND_MATCH));
  self->bundle_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  add_row (&builder, _ ("The bundle"), NULL, self->bundle_box, KIND_BIT (TILL_PROMOTION_BUNDLE),
           THRESHOLD_ANY);
  add_row (&builder, NULL, NULL, new_add_button (_ ("Add an item"), "promotions.add-bundle-item"),
           KIND_BIT (TILL_PROMOTION_BUNDLE), THRESHOLD_ANY);
  add_entry (&builder, _ ("Bundle price (yuan)"), "bundle-price", "19.90",
             KIND_BIT (TILL_PROMOTION_BUNDLE));
  add_entry (&builder, _ ("Coupon code"), "coupon-code", _ ("e.g. WELCOME10"),
             KIND_BIT (TILL_PROMOTION_COUPON));
  beside (&builder);
  add_entry (&builder, _ ("Amount off (yuan)"), "amount-off", "10.00",
             KIND_BIT (TILL_PROMOTION_COUPON));
  add_row (&builder, NULL, "multi-use", new_check (_ ("The code can be used many times")),
           KIND_BIT (TILL_PROMOTION_COUPON), THRESHOLD_ANY);
  add_row (&builder, NULL, NULL,
           new_label (_ ("Members pay each product’s member price."), "dim-label"),
           KIND_BIT (TILL_PROMOTION_MEMBER_PRICE), THRESHOLD_ANY);

  begin_section (&builder, self, _ ("What it applies to (comma-separated)"));
  add_entry (&builder, _ ("SKUs"), "skus", _ ("empty: every product"), TARGET_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Category codes"), "categories", NULL, TARGET_KINDS);
  add_entry (&builder, _ ("Brands"), "brands", NULL, TARGET_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Except SKUs"), "excluded", NULL, ALL_KINDS);

  begin_section (&builder, self, _ ("When and for whom"));
  add_entry (&builder, _ ("Valid from"), "from", "2026-12-01", ALL_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Valid until (last day)"), "until", "2026-12-31", ALL_KINDS);
  weekdays = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  for (guint day = 1; day <= 7; day++)
    {
      g_autofree char *name = g_strdup_printf ("weekday:%u", day);
      GtkWidget       *toggle = gtk_toggle_button_new_with_label (weekday_label (day));

      gtk_widget_set_size_request (toggle, 64, 48);
      gtk_box_append (GTK_BOX (weekdays), toggle);
      self->weekday_toggles[day] = toggle;
      g_hash_table_insert (self->fields, g_steal_pointer (&name), toggle);
    }
  add_row (&builder, _ ("Days (none: every day)"), NULL, weekdays, ALL_KINDS, THRESHOLD_ANY);
  add_entry (&builder, _ ("Hours"), "windows", _ ("e.g. 08:00-10:00, 22:00-02:00"), ALL_KINDS);
  add_row (&builder, NULL, "member-only", new_check (_ ("Members only")), ALL_KINDS, THRESHOLD_ANY);
  beside (&builder);
  add_entry (&builder, _ ("Member tiers"), "member-tiers", _ ("e.g. gold, silver"), ALL_KINDS);
  add_entry (&builder, _ ("Minimum quantity"), "min-quantity", NULL, ALL_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Minimum spend (yuan)"), "min-amount", NULL, ALL_KINDS);
  add_entry (&builder, _ ("At most per sale"), "per-sale", _ ("empty: no limit"), ALL_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("At most per member"), "per-member", _ ("empty: no limit"), ALL_KINDS);
  add_entry (&builder, _ ("Stores"), "stores", _ ("empty: every store"), ALL_KINDS);
  beside (&builder);
  add_entry (&builder, _ ("Store groups"), "store-groups", NULL, ALL_KINDS);
}

/* ---- Object --------------------------------------------------------------------------- */

static void
till_promotions_view_dispose (GObject *object)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (object);
  GtkWidget          *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_PROMOTIONS_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_promotions_view_parent_class)->dispose (object);
}

static void
till_promotions_view_finalize (GObject *object)
{
  TillPromotionsView *self = TILL_PROMOTIONS_VIEW (object);

  g_free (self->message);
  g_free (self->editing_code);
  g_free (self->pending_delete);
  g_hash_table_unref (self->row_texts);
  g_hash_table_unref (self->fields);
  g_array_unref (self->form_rows);
  g_ptr_array_unref (self->tier_rows);
  g_ptr_array_unref (self->bundle_rows);
  G_OBJECT_CLASS (till_promotions_view_parent_class)->finalize (object);
}

static void
till_promotions_view_class_init (TillPromotionsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_promotions_view_dispose;
  object_class->finalize = till_promotions_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-promotions-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, title_label);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, new_button);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, confirm_box);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, confirm_label);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, read_only_label);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, promotion_list);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, form_title);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, form_scroller);
  gtk_widget_class_bind_template_child (widget_class, TillPromotionsView, form_box);

  gtk_widget_class_install_action (widget_class, "promotions.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "promotions.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "promotions.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "promotions.override", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "promotions.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "promotions.confirm-delete", NULL,
                                   confirm_delete_action);
  gtk_widget_class_install_action (widget_class, "promotions.cancel-delete", NULL,
                                   cancel_delete_action);
  gtk_widget_class_install_action (widget_class, "promotions.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "promotions.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "promotions.add-tier", NULL, add_tier_action);
  gtk_widget_class_install_action (widget_class, "promotions.remove-tier", "u", remove_tier_action);
  gtk_widget_class_install_action (widget_class, "promotions.add-bundle-item", NULL,
                                   add_bundle_item_action);
  gtk_widget_class_install_action (widget_class, "promotions.remove-bundle-item", "u",
                                   remove_bundle_item_action);
}

static void
till_promotions_view_init (TillPromotionsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->row_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->form_rows = g_array_new (FALSE, TRUE, sizeof (FormRow));
  self->tier_rows = g_ptr_array_new_with_free_func (g_free);
  self->bundle_rows = g_ptr_array_new_with_free_func (g_free);
  build_form (self);
  add_tier_row (self);
  add_bundle_row (self);
  update_form_visibility (self);
}

/* ---- Public API ------------------------------------------------------------------------- */

void
till_promotions_view_set_session (TillPromotionsView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_PROMOTIONS_VIEW (self));

  g_set_object (&self->session, session);
}

/**
 * till_promotions_view_reset:
 *
 * Called each time the screen opens: decides from the store (not the
 * sign-in snapshot) whether the signed-in user may change promotions, and
 * shows the list. The core checks again on every change.
 */
void
till_promotions_view_reset (TillPromotionsView *self)
{
  TillUser *user;

  g_return_if_fail (TILL_IS_PROMOTIONS_VIEW (self));

  g_clear_pointer (&self->pending_delete, g_free);
  gtk_widget_set_visible (self->confirm_box, FALSE);
  set_message (self, NULL, FALSE);
  self->may_manage = FALSE;
  user = get_user (self);
  if (user != NULL)
    {
      g_autoptr (TillUserInfo) info =
          till_user_get_info (get_store (self), till_user_get_code (user), NULL);

      self->may_manage = info != NULL && info->active &&
                         till_permission_role_has (get_store (self), info->role,
                                                   TILL_PERMISSION_MANAGE_PROMOTIONS);
    }
  gtk_widget_set_visible (self->read_only_label, !self->may_manage);
  show_list (self);
}

/* Returns: "list" or "form" */
const char *
till_promotions_view_get_page (TillPromotionsView *self)
{
  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->mode_stack));
}

/* Returns: the last success or error shown, "" when none */
const char *
till_promotions_view_get_message (TillPromotionsView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = gtk_widget_has_css_class (self->message_label, "status-error");
  return self->message != NULL ? self->message : "";
}

/* Returns: whether the list is shown without the means to change it */
gboolean
till_promotions_view_get_read_only (TillPromotionsView *self)
{
  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), TRUE);
  return !self->may_manage;
}

guint
till_promotions_view_get_n_rows (TillPromotionsView *self)
{
  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), 0);
  return g_hash_table_size (self->row_texts);
}

/* Returns: (transfer full) (nullable): see the header */
char *
till_promotions_view_dup_row_text (TillPromotionsView *self, const char *code, gboolean hq)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  key = g_strdup_printf ("%s:%s", hq ? "hq" : "local", code);
  return g_strdup (g_hash_table_lookup (self->row_texts, key));
}

/* Returns: (transfer none) (nullable): see the header */
GtkWidget *
till_promotions_view_get_field (TillPromotionsView *self, const char *name)
{
  g_return_val_if_fail (TILL_IS_PROMOTIONS_VIEW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_has_prefix (name, "tier-") || g_str_has_prefix (name, "bundle-sku:") ||
      g_str_has_prefix (name, "bundle-quantity:"))
    {
      const char *colon = strchr (name, ':');
      GPtrArray  *rows = g_str_has_prefix (name, "tier-") ? self->tier_rows : self->bundle_rows;
      guint64     index;
      PairRow    *row;

      if (colon == NULL ||
          !g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT, &index, NULL) ||
          index >= rows->len)
        return NULL;
      row = g_ptr_array_index (rows, index);
      return g_str_has_prefix (name, "tier-min:") || g_str_has_prefix (name, "bundle-sku:")
                 ? row->first
                 : row->second;
    }
  return g_hash_table_lookup (self->fields, name);
}
