/* till-checkout-view.c: the sale screen: cart, total, search, keypad, quick keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-application.h"
#include "till-checkout-view.h"
#include "till-override-dialog.h"
#include "till-printer-monitor.h"
#include "till-receipts-dialog.h"
#include "till-ui-util.h"
#include "widgets/till-camera-preview.h"
#include "widgets/till-cart-row.h"
#include "till-keyed-entry.h"
#include "till-member-dialog.h"
#include "widgets/till-keypad.h"

#define N_QUICK_KEYS 24
#define N_CATEGORY_PRODUCTS 60
#define N_SEARCH_RESULTS 30
/* Typed on the keypad, a code this long is a barcode; a shorter one is a PLU. */
#define MIN_KEYED_BARCODE 8
/* A scale reading older than this is not the weight on the platter now. */
#define MAX_SCALE_READING_AGE_US (2 * G_USEC_PER_SEC)
/* Suggestions for a member's sale: a slim row, never more. */
#define N_SUGGESTIONS 3

struct _TillCheckoutView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget   *cart_stack;
  GtkListView *cart_list;
  GtkWidget   *status_label;
  GtkWidget   *total_label;
  GtkWidget   *subtotal_label;
  GtkWidget   *rounding_label;
  GtkWidget   *item_count_label;
  GtkWidget   *search_entry;
  GtkWidget   *category_box;
  GtkWidget   *products_title;
  GtkWidget   *products_box;
  TillKeypad  *keypad;
  GtkWidget   *quantity_button;
  GtkWidget   *price_button;
  GtkWidget   *discount_button;
  GtkWidget   *sale_discount_button;
  GtkWidget   *sale_discount_hint;
  GtkWidget   *sale_discount_percent_button;
  GtkWidget   *sale_discount_amount_button;
  GtkWidget   *resume_button;
  GtkWidget   *held_list;
  GtkWidget   *camera_button;
  GtkWidget   *camera_popover;
  GtkWidget   *camera_preview;
  GtkWidget   *scale_box;
  GtkWidget   *scale_weight_label;
  GtkWidget   *scale_state_label;
  GtkWidget   *promotion_caption;
  GtkWidget   *promotion_label;
  GtkWidget   *hint_label;
  GtkWidget   *coupon_box;
  GtkWidget   *member_button;
  GtkWidget   *member_strip;
  GtkWidget   *member_label;
  GtkWidget   *member_balance_label;
  GtkWidget   *top_up_button;
  GtkWidget   *member_coupons_box;
  GtkWidget   *suggestions_row;
  GtkWidget   *suggestions_box;

  TillSession        *session;
  TillDevices        *devices;
  GtkSingleSelection *selection;
  GtkToggleButton    *popular_button;
  gboolean            status_is_error;

  /* The act waiting for a supervisor's approval, and the dialog asking for it. */
  struct PendingAct  *pending;
  TillOverrideDialog *override_dialog;
  /* The act waiting for its reason, and the window asking the cashier. */
  struct PendingAct *asking;
  GtkWidget         *reason_dialog;
  GtkWidget         *receipts_dialog;

  /* The coupon dialog while it is open, its keypad and its refusal line. */
  GtkWidget  *coupon_dialog;
  TillKeypad *coupon_keypad;
  GtkWidget  *coupon_error;
  /* The cart rows on screen (TillCartRow's box with its promotions under it,
   * borrowed: each leaves when unbound), refreshed when the cart reprices. */
  GPtrArray *bound_rows;

  /* The member dialog (find, register or top up) while it is open. */
  TillMemberDialog *member_dialog;
  /* The products suggested now, to refresh the row only when they change. */
  GArray *suggested;
  /* The member's coupons shown as chips now, for the same reason. */
  GStrv member_coupon_codes;
};

/* A sensitive act, kept so that the same core call runs again with the
 * supervisor's approval. */
typedef enum
{
  ACT_VOID_LINE,
  ACT_VOID_SALE,
  ACT_OVERRIDE_PRICE,
  ACT_DISCOUNT_LINE,
  ACT_SUSPEND,
  ACT_RESUME,
  ACT_QUANTITY,
  ACT_NO_SALE,
  ACT_DISCOUNT_SALE,
  ACT_DISCOUNT_SALE_AMOUNT,
} ActKind;

typedef struct PendingAct
{
  ActKind kind;
  guint   position;
  gint64  value;  /* new price (fen), discount (bp or fen), quantity or held sale id */
  char   *name;   /* the line's product, for the message */
  char   *reason; /* the cashier's reason, for the acts that ask for one first */
} PendingAct;

static void
pending_act_free (PendingAct *act)
{
  if (act == NULL)
    return;
  g_free (act->name);
  g_free (act->reason);
  g_free (act);
}

G_DEFINE_FINAL_TYPE (TillCheckoutView, till_checkout_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_PAY_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static TillCart *
get_cart (TillCheckoutView *self)
{
  return self->session != NULL ? till_session_get_cart (self->session) : NULL;
}

static void
update_actions (TillCheckoutView *self)
{
  TillCart *cart = get_cart (self);
  gboolean  signed_in = cart != NULL && till_session_get_user (self->session) != NULL;
  gboolean  has_lines = signed_in && till_cart_get_n_lines (cart) > 0;
  gboolean  has_selection =
      has_lines && till_checkout_view_get_selected (self) != GTK_INVALID_LIST_POSITION;
  GtkWidget *widget = GTK_WIDGET (self);

  till_ui_action_set_enabled (widget, "sale.scan", signed_in);
  till_ui_action_set_enabled (widget, "sale.add-plu", signed_in);
  till_ui_action_set_enabled (widget, "sale.add-product", signed_in);
  till_ui_action_set_enabled (widget, "sale.search", signed_in);
  till_ui_action_set_enabled (widget, "sale.show-category", signed_in);
  till_ui_action_set_enabled (widget, "sale.select-line", has_lines);
  till_ui_action_set_enabled (widget, "sale.set-quantity", has_selection);
  till_ui_action_set_enabled (widget, "sale.delete-line", has_selection);
  till_ui_action_set_enabled (widget, "sale.override-price", has_selection);
  till_ui_action_set_enabled (widget, "sale.discount-line", has_selection);
  till_ui_action_set_enabled (widget, "sale.clear", has_lines);
  till_ui_action_set_enabled (widget, "sale.void-sale", has_lines);
  till_ui_action_set_enabled (widget, "sale.discount-sale", has_lines);
  till_ui_action_set_enabled (widget, "sale.discount-sale-amount", has_lines);
  /* A no-sale is allowed with a sale on screen too: a real till opens the
   * drawer for change whatever the cashier is ringing up. */
  till_ui_action_set_enabled (widget, "sale.no-sale", signed_in);
  till_ui_action_set_enabled (widget, "sale.recall", signed_in);
  till_ui_action_set_enabled (widget, "sale.act-reason", signed_in && self->asking != NULL);
  gtk_widget_set_sensitive (self->sale_discount_button, has_lines);
  till_ui_action_set_enabled (widget, "sale.suspend", has_lines);
  till_ui_action_set_enabled (widget, "sale.resume", signed_in);
  till_ui_action_set_enabled (widget, "sale.resume-list", signed_in);
  till_ui_action_set_enabled (widget, "sale.pay", has_lines);
  /* A coupon may come before the first item. */
  till_ui_action_set_enabled (widget, "sale.coupon", signed_in);
  till_ui_action_set_enabled (widget, "sale.remove-coupon", signed_in);
  /* A member may join the sale at any time before payment, even before the
   * first item. */
  till_ui_action_set_enabled (widget, "sale.member", signed_in);
  till_ui_action_set_enabled (widget, "sale.attach-member", signed_in);
  till_ui_action_set_enabled (widget, "sale.detach-member",
                              signed_in && till_cart_get_member (cart) != NULL);
  till_ui_action_set_enabled (widget, "sale.member-details",
                              signed_in && till_cart_get_member (cart) != NULL);
  till_ui_action_set_enabled (widget, "sale.top-up",
                              signed_in && till_cart_get_member (cart) != NULL);
}

static void
set_status (TillCheckoutView *self, const char *message, gboolean is_error)
{
  gtk_label_set_text (GTK_LABEL (self->status_label), message != NULL ? message : "");
  self->status_is_error = is_error;
  if (is_error)
    {
      gtk_widget_add_css_class (self->status_label, "status-error");
      gtk_widget_remove_css_class (self->status_label, "status-info");
    }
  else
    {
      gtk_widget_add_css_class (self->status_label, "status-info");
      gtk_widget_remove_css_class (self->status_label, "status-error");
    }
}

/* Errors go to the status line under the cart, in white on red, and stay there
 * until the next action. Not a toast: it would cover the line buttons below. */
static void
show_error (TillCheckoutView *self, const char *message)
{
  set_status (self, message, TRUE);
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
select_line (TillCheckoutView *self, TillCartLine *line)
{
  GListModel *model = G_LIST_MODEL (get_cart (self));
  guint       n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TillCartLine) item = g_list_model_get_item (model, i);

      if (item == line)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->cart_list), "list.scroll-to-item", "u", i);
          break;
        }
    }
}

static void
line_added (TillCheckoutView *self, TillCartLine *line)
{
  TillProduct     *product = till_cart_line_get_product (line);
  g_autofree char *price = till_ui_format_money (till_cart_line_get_unit_price (line));
  g_autofree char *quantity = till_ui_format_quantity (till_cart_line_get_quantity (line),
                                                       till_product_get_weighed (product));
  g_autofree char *message =
      g_strdup_printf (_ ("Added %s  %s × %s"), till_product_get_name (product), quantity, price);

  select_line (self, line);
  set_status (self, message, FALSE);
  update_actions (self);
}

static void
populate_products (TillCheckoutView *self, GPtrArray *products, const char *title)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->products_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->products_box), child);

  gtk_label_set_text (GTK_LABEL (self->products_title), title);
  if (products == NULL)
    return;
  for (guint i = 0; i < products->len; i++)
    gtk_flow_box_append (GTK_FLOW_BOX (self->products_box),
                         till_ui_product_button_new (g_ptr_array_index (products, i)));
}

static void
show_popular (TillCheckoutView *self)
{
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GError) error = NULL;

  if (self->session == NULL)
    return;
  products =
      till_catalog_list_popular (till_session_get_catalog (self->session), N_QUICK_KEYS, &error);
  if (products == NULL)
    show_error (self, error->message);
  populate_products (self, products, _ ("Quick keys"));
}

/* ---- Promotions and coupons --------------------------------------------------- */

static gboolean
promotion_applied (TillCheckoutView *self, const char *code)
{
  const TillPricingResult *pricing = till_cart_get_pricing (get_cart (self));

  for (guint i = 0; code != NULL && i < pricing->applied->len; i++)
    {
      const TillPricingApplied *applied = g_ptr_array_index (pricing->applied, i);

      if (g_strcmp0 (applied->code, code) == 0)
        return TRUE;
    }
  return FALSE;
}

/* One small line under a cart line: a badge (may be NULL), a text and an
 * amount (may be NULL), the amount under the line's amount. */
static GtkWidget *
line_detail_new (const char *badge, const char *text, const char *amount, const char *css_class)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;

  gtk_widget_add_css_class (box, css_class);
  if (badge != NULL)
    {
      label = gtk_label_new (badge);
      gtk_widget_add_css_class (label, "cart-line-gift-badge");
      gtk_box_append (GTK_BOX (box), label);
    }
  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  if (amount != NULL)
    {
      label = gtk_label_new (amount);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_add_css_class (label, "cart-line-promotion-amount");
      gtk_box_append (GTK_BOX (box), label);
    }
  return box;
}

/* A cart row with the lines that explain its promotions under it. */
static GtkWidget *
line_box_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *row = till_cart_row_new ();
  GtkWidget *details = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_add_css_class (details, "cart-line-promotions");
  gtk_widget_set_visible (details, FALSE);
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), details);
  g_object_set_data (G_OBJECT (box), "cart-row", row);
  g_object_set_data (G_OBJECT (box), "details", details);
  return box;
}

/* Under a promoted line: what it would cost without promotions (struck
 * through, under its amount), then each promotion's share; under a gift, the
 * promotion that gave it. */
static void
fill_line_details (TillCheckoutView *self, GtkWidget *box)
{
  TillCartRow  *row = g_object_get_data (G_OBJECT (box), "cart-row");
  GtkWidget    *details = g_object_get_data (G_OBJECT (box), "details");
  TillCartLine *line = till_cart_row_get_line (row);
  GtkWidget    *child;

  while ((child = gtk_widget_get_first_child (details)) != NULL)
    gtk_box_remove (GTK_BOX (details), child);
  if (line != NULL && till_cart_line_get_gift_code (line) != NULL)
    {
      const char          *code = till_cart_line_get_gift_code (line);
      const TillPromotion *promotion = till_cart_find_promotion (get_cart (self), code);

      gtk_box_append (GTK_BOX (details),
                      line_detail_new (_ ("Gift"), promotion != NULL ? promotion->name : code, NULL,
                                       "cart-line-gift"));
    }
  else if (line != NULL && till_cart_line_get_promotion_discount (line) > 0)
    {
      GArray          *shares = till_cart_line_get_promotions (line);
      g_autofree char *before = till_ui_format_money (till_cart_line_get_amount (line) +
                                                      till_cart_line_get_promotion_discount (line));

      gtk_box_append (GTK_BOX (details), line_detail_new (NULL, "", before, "cart-line-gross"));
      for (guint i = 0; i < shares->len; i++)
        {
          const TillPricingShare *share = &g_array_index (shares, TillPricingShare, i);
          g_autofree char        *amount = till_ui_format_money (-share->amount);

          gtk_box_append (GTK_BOX (details),
                          line_detail_new (NULL, share->name, amount, "cart-line-promotion"));
        }
    }
  gtk_widget_set_visible (details, gtk_widget_get_first_child (details) != NULL);
}

static char *
hint_text (const TillPricingHint *hint)
{
  g_autofree char *saving = till_ui_format_money (hint->saving);
  g_autofree char *missing = NULL;

  if (hint->missing_amount > 0)
    {
      missing = till_ui_format_money (hint->missing_amount);
      if (hint->saving > 0)
        return g_strdup_printf (_ ("Spend %s more for %s (save %s)"), missing, hint->name, saving);
      return g_strdup_printf (_ ("Spend %s more for %s"), missing, hint->name);
    }
  missing = till_ui_format_quantity (hint->missing_quantity,
                                     hint->missing_quantity % TILL_QUANTITY_ONE != 0);
  if (hint->saving > 0)
    return g_strdup_printf (_ ("Add %s more for %s (save %s)"), missing, hint->name, saving);
  return g_strdup_printf (_ ("Add %s more for %s"), missing, hint->name);
}

static GtkWidget *
coupon_chip_new (TillCheckoutView *self, const char *code)
{
  const TillPromotion *promotion = till_cart_find_coupon_promotion (get_cart (self), code);
  GtkWidget           *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget           *label;
  GtkWidget           *remove;
  g_autofree char     *text = NULL;

  gtk_widget_add_css_class (box, "coupon-chip");
  if (promotion != NULL && promotion_applied (self, promotion->code))
    text = g_strdup_printf ("%s · %s", promotion->name, code);
  else
    {
      g_autofree char *minimum =
          till_ui_format_money (promotion != NULL ? promotion->min_amount : 0);

      gtk_widget_add_css_class (box, "not-applied");
      if (promotion != NULL && promotion->min_amount > 0)
        text = g_strdup_printf (_ ("%s\nNot applied: minimum spend %s"), promotion->name, minimum);
      else
        text = g_strdup_printf (_ ("%s\nNot applied"), promotion != NULL ? promotion->name : code);
    }
  /* Two lines, so that a coupon that did not apply keeps its minimum spend
   * in sight on a half-width chip. */
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 10);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 10);
  gtk_box_append (GTK_BOX (box), label);

  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_set_size_request (remove, 48, 48);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _ ("Take the coupon off the sale"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "sale.remove-coupon");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (remove), g_variant_new_string (code));
  gtk_box_append (GTK_BOX (box), remove);
  g_object_set_data_full (G_OBJECT (box), "text", g_steal_pointer (&text), g_free);
  return box;
}

static void
refresh_coupons (TillCheckoutView *self)
{
  const char *const *codes = till_cart_get_coupons (get_cart (self));
  GtkWidget         *child;

  while ((child = gtk_widget_get_first_child (self->coupon_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->coupon_box), child);
  for (guint i = 0; codes[i] != NULL; i++)
    gtk_flow_box_append (GTK_FLOW_BOX (self->coupon_box), coupon_chip_new (self, codes[i]));
  gtk_widget_set_visible (self->coupon_box, codes[0] != NULL);
}

/* ---- Members: the strip in the cart card, suggestions, the dialog ---------------- */

static void
suggestion_button_add (TillCheckoutView *self, gint64 product_id)
{
  g_autoptr (TillProduct) product = NULL;
  GtkWidget *button;
  GtkWidget *label;

  product = till_catalog_lookup_id (till_session_get_catalog (self->session), product_id, NULL);
  if (product == NULL)
    return;
  label = gtk_label_new (till_product_get_name (product));
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_widget_add_css_class (button, "suggestion");
  gtk_widget_set_tooltip_text (button, till_product_get_name (product));
  /* The product as a quick key would add it. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sale.add-product");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (product_id));
  gtk_box_append (GTK_BOX (self->suggestions_box), button);
}

/* Up to three products for the member, none already in the cart. The row
 * is rebuilt only when the suggestions change, so that a tap lands on the
 * button it aimed at. */
static void
refresh_suggestions (TillCheckoutView *self, const TillMember *member)
{
  TillCart *cart = get_cart (self);
  guint     n_lines = till_cart_get_n_lines (cart);
  g_autoptr (GArray) cart_products = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_lines);
  g_autoptr (GArray) suggestions = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  TillRecommender *recommender = till_session_get_recommender (self->session);
  GtkWidget       *child;

  if (member != NULL && recommender != NULL)
    {
      for (guint i = 0; i < n_lines; i++)
        {
          gint64 id =
              till_product_get_id (till_cart_line_get_product (till_cart_get_line (cart, i)));

          g_array_append_val (cart_products, id);
        }
      suggestions =
          till_recommender_suggest (recommender, member->id, (const gint64 *) cart_products->data,
                                    cart_products->len, N_SUGGESTIONS, TRUE);
      for (guint i = 0; suggestions != NULL && i < MIN (suggestions->len, N_SUGGESTIONS); i++)
        g_array_append_val (ids, g_array_index (suggestions, TillSuggestion, i).product_id);
    }
  if (self->suggested != NULL && self->suggested->len == ids->len &&
      (ids->len == 0 || memcmp (self->suggested->data, ids->data, ids->len * sizeof (gint64)) == 0))
    return;
  while ((child = gtk_widget_get_first_child (self->suggestions_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->suggestions_box), child);
  for (guint i = 0; i < ids->len; i++)
    suggestion_button_add (self, g_array_index (ids, gint64, i));
  gtk_widget_set_visible (self->suggestions_row,
                          gtk_widget_get_first_child (self->suggestions_box) != NULL);
  g_clear_pointer (&self->suggested, g_array_unref);
  self->suggested = g_steal_pointer (&ids);
}

/* A chip for one of the member's coupons: tapping it presents the code for
 * this sale, as if it were scanned. */
static GtkWidget *
member_coupon_chip_new (const TillMemberCoupon *coupon)
{
  GtkWidget *button = gtk_button_new_with_label (coupon->name);

  gtk_widget_add_css_class (button, "member-coupon");
  gtk_widget_set_tooltip_text (button, coupon->code);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sale.coupon");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_string (coupon->code));
  g_object_set_data_full (G_OBJECT (button), "code", g_strdup (coupon->code), g_free);
  return button;
}

/* The member's unused coupons not presented on this sale yet; rebuilt only
 * when they change, so that a tap lands on the chip it aimed at. */
static void
refresh_member_coupons (TillCheckoutView *self, const TillMember *member)
{
  const char *const *presented = till_cart_get_coupons (get_cart (self));
  g_autoptr (GPtrArray) coupons = NULL;
  g_autoptr (GPtrArray) shown =
      g_ptr_array_new_with_free_func ((GDestroyNotify) till_member_coupon_free);
  g_autoptr (GPtrArray) codes = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GtkWidget *child;

  if (member != NULL)
    {
      coupons =
          till_loyalty_member_coupons (till_session_get_store (self->session), member->id, &error);
      if (coupons == NULL)
        g_warning ("The member's coupons cannot be read: %s", error->message);
    }
  for (guint i = 0; coupons != NULL && i < coupons->len; i++)
    {
      TillMemberCoupon *coupon = g_ptr_array_index (coupons, i);

      if (presented != NULL && g_strv_contains (presented, coupon->code))
        continue;
      g_ptr_array_add (codes, coupon->code);
      g_ptr_array_add (shown, g_ptr_array_steal_index (coupons, i--));
    }
  g_ptr_array_add (codes, NULL);
  if (self->member_coupon_codes != NULL &&
      g_strv_equal ((const char *const *) self->member_coupon_codes,
                    (const char *const *) codes->pdata))
    return;
  g_clear_pointer (&self->member_coupon_codes, g_strfreev);
  self->member_coupon_codes = g_strdupv ((char **) codes->pdata);
  while ((child = gtk_widget_get_first_child (self->member_coupons_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->member_coupons_box), child);
  for (guint i = 0; i < shown->len; i++)
    gtk_flow_box_append (GTK_FLOW_BOX (self->member_coupons_box),
                         member_coupon_chip_new (g_ptr_array_index (shown, i)));
  gtk_widget_set_visible (self->member_coupons_box, shown->len > 0);
}

/* The strip: who (masked), their tier, points and stored value. */
static void
refresh_member (TillCheckoutView *self)
{
  TillCart         *cart = get_cart (self);
  const TillMember *member = cart != NULL ? till_cart_get_member (cart) : NULL;
  TillStore        *store;
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  const TillLoyaltyTier *tier = NULL;
  g_autoptr (GString) who = NULL;
  g_autofree char *balance_text = NULL;
  g_autofree char *points_text = NULL;
  gint64           points;

  gtk_widget_set_visible (self->member_strip, member != NULL);
  if (member == NULL)
    {
      refresh_suggestions (self, NULL);
      refresh_member_coupons (self, NULL);
      return;
    }
  store = till_session_get_store (self->session);
  who = g_string_new (member->phone_masked);
  if (member->name_masked != NULL && *member->name_masked != '\0')
    g_string_append_printf (who, "  %s", member->name_masked);
  rules = till_loyalty_rules_load (store, &error);
  if (rules == NULL)
    g_warning ("%s", error->message);
  else if (member->tier != NULL && *member->tier != '\0')
    tier = till_loyalty_rules_find_tier (rules, member->tier);
  else if (rules->tiers->len > 0)
    tier = &g_array_index (rules->tiers, TillLoyaltyTier, 0);
  if (tier != NULL)
    g_string_append_printf (who, " · %s", tier->name);
  gtk_label_set_text (GTK_LABEL (self->member_label), who->str);

  g_clear_error (&error);
  points = till_loyalty_points_balance (store, member->id, &error);
  if (error != NULL)
    {
      g_warning ("%s", error->message);
      points = 0;
    }
  points_text = g_strdup_printf (_ ("Points %" PRId64), points);
  g_clear_error (&error);
  account = till_stored_value_find_for_member (store, member->id, &error);
  if (account != NULL)
    {
      g_autofree char *money = till_ui_format_money (account->balance);

      balance_text = g_strdup_printf (_ ("%s · Stored value %s"), points_text, money);
    }
  else
    balance_text = g_strdup (points_text);
  gtk_label_set_text (GTK_LABEL (self->member_balance_label), balance_text);
  refresh_member_coupons (self, member);
  refresh_suggestions (self, member);
}

static void
member_dialog_destroyed_cb (TillCheckoutView *self)
{
  self->member_dialog = NULL;
  till_checkout_view_focus_keypad (self);
}

static void
member_chosen_cb (TillCheckoutView *self, const char *member_id)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sale.attach-member", "s", member_id);
}

static void
topped_up_cb (TillCheckoutView *self, const char *message)
{
  set_status (self, message, FALSE);
  refresh_member (self);
}

/* The details dialog changed the member's points, coupons or choices. */
static void
member_changed_cb (TillCheckoutView *self, const char *member_id)
{
  refresh_member (self);
}

static void
member_dialog_present (TillCheckoutView *self, TillMemberDialog *dialog)
{
  self->member_dialog = dialog;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (member_dialog_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "member-chosen", G_CALLBACK (member_chosen_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "topped-up", G_CALLBACK (topped_up_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "member-changed", G_CALLBACK (member_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWindow *
get_parent_window (TillCheckoutView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* sale.member: the dialog to find or register the sale's member. */
static void
member_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);

  if (self->member_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->member_dialog));
      return;
    }
  member_dialog_present (self,
                         till_member_dialog_new_find (get_parent_window (self), self->session));
}

/* sale.attach-member(s): the member with this id joins the sale; the cart
 * prices itself again with their tier and member prices. */
static void
attach_member_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *member_id = g_variant_get_string (parameter, NULL);
  g_autoptr (TillMember) member = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  member = till_member_load (till_session_get_store (self->session),
                             till_session_get_member_key (self->session), member_id, &error);
  if (member == NULL || !till_cart_attach_member (get_cart (self), member, &error))
    {
      show_error (self, error->message);
      return;
    }
  message = g_strdup_printf (_ ("Member %s joined the sale."), member->phone_masked);
  set_status (self, message, FALSE);
  refresh_member (self);
  update_actions (self);
}

static void
detach_member_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  g_autoptr (GError) error = NULL;

  if (!till_cart_attach_member (get_cart (self), NULL, &error))
    {
      show_error (self, error->message);
      return;
    }
  set_status (self, _ ("The member was taken off the sale."), FALSE);
  refresh_member (self);
  update_actions (self);
}

/* sale.top-up: money onto the sale's member's stored-value card. */
static void
top_up_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const TillMember *member = till_cart_get_member (get_cart (self));

  if (member == NULL)
    {
      show_error (self, _ ("Find the member first: the top-up goes onto their card."));
      return;
    }
  if (self->member_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->member_dialog));
  member_dialog_present (
      self, till_member_dialog_new_top_up (get_parent_window (self), self->session, member));
}

/* sale.member-details: the sale's member's details, history, coupons and
 * points for gifts. */
static void
member_details_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const TillMember *member = till_cart_get_member (get_cart (self));

  if (member == NULL)
    {
      show_error (self, _ ("Find the member first."));
      return;
    }
  if (self->member_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->member_dialog));
  member_dialog_present (
      self, till_member_dialog_new_details (get_parent_window (self), self->session, member));
}

/* The cart priced itself again: its saving, hint, coupons and the lines'
 * promotions follow. */
static void
repriced_cb (TillCheckoutView *self)
{
  TillCart                *cart = get_cart (self);
  const TillPricingResult *pricing = till_cart_get_pricing (cart);
  gint64                   saving = till_cart_get_promotion_saving (cart);
  g_autofree char         *saving_text = till_ui_format_money (-saving);

  gtk_label_set_text (GTK_LABEL (self->promotion_label), saving_text);
  gtk_widget_set_visible (self->promotion_caption, saving > 0);
  gtk_widget_set_visible (self->promotion_label, saving > 0);

  /* The closest one only: the bar stays slim, and the next shows when the
   * customer takes this one. */
  if (pricing->hints->len > 0)
    {
      g_autofree char *hint = hint_text (g_ptr_array_index (pricing->hints, 0));

      gtk_label_set_text (GTK_LABEL (self->hint_label), hint);
    }
  else
    gtk_label_set_text (GTK_LABEL (self->hint_label), "");
  gtk_widget_set_visible (self->hint_label, pricing->hints->len > 0);

  refresh_coupons (self);
  for (guint i = 0; i < self->bound_rows->len; i++)
    fill_line_details (self, g_ptr_array_index (self->bound_rows, i));
  /* The member's points and card, and what to suggest next to this cart. */
  refresh_member (self);
}

static void
coupon_dialog_show_error (TillCheckoutView *self, const char *message)
{
  if (self->coupon_dialog == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (self->coupon_error), message);
  gtk_widget_set_visible (self->coupon_error, message != NULL && *message != '\0');
  gtk_widget_error_bell (self->coupon_dialog);
}

static void
coupon_added (TillCheckoutView *self, const TillPromotion *promotion)
{
  g_autofree char *message = NULL;

  if (promotion_applied (self, promotion->code))
    message = g_strdup_printf (_ ("Coupon applied: %s"), promotion->name);
  else if (promotion->min_amount > 0)
    {
      g_autofree char *minimum = till_ui_format_money (promotion->min_amount);

      message = g_strdup_printf (_ ("Coupon %s taken: it applies from a spend of %s"),
                                 promotion->name, minimum);
    }
  else
    message = g_strdup_printf (_ ("Coupon %s taken: it does not apply to this sale yet"),
                               promotion->name);
  set_status (self, message, FALSE);
  refresh_coupons (self);
  if (self->coupon_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->coupon_dialog));
  update_actions (self);
}

/* A scanned code that is no product: a coupon, perhaps. FALSE when no coupon
 * has this code either (the caller says the barcode is unknown). */
static gboolean
scan_as_coupon (TillCheckoutView *self, const char *code)
{
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (GError) error = NULL;

  promotion = till_cart_add_coupon (get_cart (self), code, &error);
  if (promotion != NULL)
    {
      coupon_added (self, promotion);
      return TRUE;
    }
  if (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON))
    return FALSE;
  show_error (self, error->message);
  coupon_dialog_show_error (self, error->message);
  return TRUE;
}

/* Actions */

static void
scan_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *code = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  if (*code == '\0')
    {
      show_error (self, _ ("The scanner sent an empty code."));
      return;
    }
  /* While the member dialog is open, what is scanned is the member's card
   * or QR; on the sale screen a member QR attaches its member at once. */
  if (self->member_dialog != NULL)
    {
      till_member_dialog_take_code (self->member_dialog, code);
      return;
    }
  if (till_member_is_qr (code))
    {
      g_autoptr (TillMember) member =
          till_member_find_by_qr (till_session_get_store (self->session),
                                  till_session_get_member_key (self->session), code, &error);

      if (member == NULL)
        show_error (self, error->message);
      else
        gtk_widget_activate_action (widget, "sale.attach-member", "s", member->id);
      return;
    }
  line = till_cart_add_barcode (get_cart (self), code, &error);
  if (line == NULL)
    {
      g_autofree char *message = NULL;

      /* Not a product (unknown, or not a valid product barcode at all):
       * perhaps a coupon's code or QR. */
      if ((g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND) ||
           g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID)) &&
          scan_as_coupon (self, code))
        return;
      if (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND))
        message = g_strdup_printf (_ ("Unknown barcode %s: nothing was added."), code);
      else
        message = g_strdup (error->message);
      show_error (self, message);
      return;
    }
  line_added (self, line);
}

/* The scale's weight in grams for @product, or 0 with @out_refusal saying why
 * it cannot be sold now: only a stable, recent, positive weight is sold. */
static gint64
weight_from_scale (TillCheckoutView *self, TillProduct *product, char **out_refusal)
{
  TillScaleReading reading;
  gint64           age_us = 0;
  const char      *reason = NULL;

  if (!till_devices_get_scale_reading (self->devices, &reading, &age_us) ||
      age_us > MAX_SCALE_READING_AGE_US)
    reading.state = TILL_SCALE_STATE_NO_ANSWER;
  switch (reading.state)
    {
    case TILL_SCALE_STATE_STABLE:
      if (reading.weight > 0)
        return reading.weight;
      reason = _ ("The scale shows no weight: put the item on the scale");
      break;
    case TILL_SCALE_STATE_UNSTABLE:
      reason = _ ("The scale is not steady: wait for the weight to settle");
      break;
    case TILL_SCALE_STATE_NEGATIVE:
    case TILL_SCALE_STATE_UNDERLOAD:
      reason = _ ("The scale shows less than zero: empty it and zero it");
      break;
    case TILL_SCALE_STATE_OVERLOAD:
      reason = _ ("The scale is overloaded");
      break;
    case TILL_SCALE_STATE_ERROR:
      reason = _ ("The scale reports a fault");
      break;
    case TILL_SCALE_STATE_NO_ANSWER:
    default:
      reason = _ ("The scale does not answer");
      break;
    }
  *out_refusal = g_strdup_printf (_ ("%s not added: %s."), till_product_get_name (product), reason);
  return 0;
}

/* Adds @quantity of @product (0: none keyed, one piece). A weighed product needs
 * its weight keyed: without a scale the till cannot know it, and guessing a
 * kilogram would sell the wrong amount. */
static gboolean
add_product_quantity (TillCheckoutView *self, TillProduct *product, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  if (quantity == 0 && till_product_get_weighed (product) && self->devices != NULL &&
      till_devices_has_scale (self->devices))
    {
      g_autofree char *refusal = NULL;

      quantity = weight_from_scale (self, product, &refusal);
      if (quantity <= 0)
        {
          show_error (self, refusal);
          return FALSE;
        }
    }
  if (quantity == 0 && till_product_get_weighed (product))
    {
      g_autofree char *message = g_strdup_printf (
          _ ("%s is sold by weight: key its weight in kg and ×, then the item (e.g. 0.5×%s)."),
          till_product_get_name (product),
          till_product_get_plu (product) != NULL ? till_product_get_plu (product) : "PLU");
      show_error (self, message);
      return FALSE;
    }
  line = till_cart_add_product (get_cart (self), product,
                                quantity > 0 ? quantity : TILL_QUANTITY_ONE, &error);
  if (line == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }
  line_added (self, line);
  return TRUE;
}

/* What the cashier keyed: "[quantity×]PLU", or a barcode keyed by hand because
 * its label would not scan. */
static void
add_plu_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  TillCatalog      *catalog = till_session_get_catalog (self->session);
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  gint64           quantity = 0;

  if (!till_keyed_entry_parse (g_variant_get_string (parameter, NULL), &quantity, &code, &error))
    {
      show_error (self, error->message);
      return;
    }
  if (*code == '\0')
    {
      show_error (self, _ ("Now tap the item, or key its PLU after ×."));
      return;
    }
  if (strlen (code) >= MIN_KEYED_BARCODE)
    product = till_catalog_lookup_barcode (catalog, code, &error);
  else
    product = till_catalog_lookup_plu (catalog, code, &error);
  if (product == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND) &&
          strlen (code) < MIN_KEYED_BARCODE)
        message = g_strdup_printf (_ ("No product has the PLU %s."), code);
      else
        message = g_strdup (error->message);
      show_error (self, message);
      return;
    }
  if (add_product_quantity (self, product, quantity))
    till_keypad_clear (self->keypad);
}

/* A quick key or search result: with "3×" waiting on the keypad, three of them.
 * A bare number on the keypad may be a PLU not added yet: it stays there. */
static void
add_product_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  gint64           quantity = 0;
  gboolean         pending;

  product = till_catalog_lookup_id (till_session_get_catalog (self->session),
                                    g_variant_get_int64 (parameter), &error);
  if (product == NULL)
    {
      show_error (self, error->message);
      return;
    }
  pending = till_keyed_entry_parse (till_keypad_get_text (self->keypad), &quantity, &code, NULL) &&
            *code == '\0';
  /* A search result did its job: the next tap is on a quick key again. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (add_product_quantity (self, product, pending ? quantity : 0) && pending)
    till_keypad_clear (self->keypad);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  g_autofree char  *query = g_strstrip (g_variant_dup_string (parameter, NULL));
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;

  if (*query == '\0')
    {
      gtk_toggle_button_set_active (self->popular_button, TRUE);
      show_popular (self);
      return;
    }
  products = till_catalog_search (till_session_get_catalog (self->session), query, N_SEARCH_RESULTS,
                                  &error);
  if (products == NULL)
    {
      show_error (self, error->message);
      return;
    }
  if (products->len == 0)
    title = g_strdup_printf (_ ("Nothing matches “%s”"), query);
  else
    title = g_strdup_printf (_ ("Results for “%s”: tap to add"), query);
  populate_products (self, products, title);
}

static void
show_category_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  gint64            category_id = g_variant_get_int64 (parameter);
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *child;

  if (category_id == 0)
    {
      gtk_toggle_button_set_active (self->popular_button, TRUE);
      show_popular (self);
      return;
    }
  for (child = gtk_widget_get_first_child (self->category_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "category-id")) ==
          (gsize) category_id)
        {
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
          break;
        }
    }
  products = till_catalog_list_category_products (till_session_get_catalog (self->session),
                                                  category_id, N_CATEGORY_PRODUCTS, &error);
  if (products == NULL)
    {
      show_error (self, error->message);
      return;
    }
  populate_products (self, products,
                     child != NULL ? gtk_button_get_label (GTK_BUTTON (child)) : "");
}

static void
select_line_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  guint             position = g_variant_get_uint32 (parameter);

  if (position >= till_cart_get_n_lines (get_cart (self)))
    {
      g_autofree char *message = g_strdup_printf (_ ("There is no line %u."), position + 1);
      show_error (self, message);
      return;
    }
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->cart_list), "list.scroll-to-item", "u", position);
}

/* ---- Sensitive acts: the core checks, a supervisor may approve ---------------- */

static const char *
act_default_reason (ActKind kind)
{
  switch (kind)
    {
    case ACT_VOID_LINE:
      return TILL_REASON_WRONG_ITEM;
    case ACT_OVERRIDE_PRICE:
    case ACT_DISCOUNT_LINE:
      return TILL_REASON_PRICE_ERROR;
    case ACT_NO_SALE:
    case ACT_DISCOUNT_SALE:
    case ACT_DISCOUNT_SALE_AMOUNT:
      return TILL_REASON_OTHER;
    case ACT_VOID_SALE:
    case ACT_SUSPEND:
    case ACT_RESUME:
    case ACT_QUANTITY:
    default:
      return TILL_REASON_CUSTOMER_CHANGED_MIND;
    }
}

static TillPermission
act_permission (ActKind kind)
{
  switch (kind)
    {
    case ACT_VOID_LINE:
      return TILL_PERMISSION_VOID_LINE;
    case ACT_VOID_SALE:
      return TILL_PERMISSION_VOID_SALE;
    case ACT_OVERRIDE_PRICE:
      return TILL_PERMISSION_PRICE_OVERRIDE;
    case ACT_DISCOUNT_LINE:
      return TILL_PERMISSION_LINE_DISCOUNT;
    case ACT_QUANTITY:
      return TILL_PERMISSION_QUANTITY_CHANGE;
    case ACT_NO_SALE:
      return TILL_PERMISSION_NO_SALE;
    case ACT_DISCOUNT_SALE:
    case ACT_DISCOUNT_SALE_AMOUNT:
      return TILL_PERMISSION_SALE_DISCOUNT;
    case ACT_SUSPEND:
    case ACT_RESUME:
    default:
      return TILL_PERMISSION_SUSPEND_SALE;
    }
}

/* The one core call behind each act; @override NULL on the first try. */
static gboolean
act_run (TillCheckoutView   *self,
         PendingAct         *act,
         const char         *reason,
         const TillOverride *override,
         GError            **error)
{
  TillCart    *cart = get_cart (self);
  TillJournal *journal = till_session_get_journal (self->session);
  TillUser    *user = till_session_get_user (self->session);

  switch (act->kind)
    {
    case ACT_VOID_LINE:
      return till_cart_void_line (cart, journal, user, act->position, reason, override, error);
    case ACT_VOID_SALE:
      return till_cart_void_sale (cart, journal, user, reason, override, error);
    case ACT_OVERRIDE_PRICE:
      return till_cart_override_price (cart, journal, user, act->position, act->value, reason,
                                       override, error);
    case ACT_DISCOUNT_LINE:
      return till_cart_set_line_discount (cart, journal, user, act->position, (int) act->value,
                                          reason, override, error);
    case ACT_QUANTITY:
      return till_cart_change_quantity (cart, journal, user, act->position, act->value, override,
                                        error);
    case ACT_NO_SALE:
      return till_drawer_open_no_sale (till_session_get_store (self->session), journal, user,
                                       reason, override, error) != 0;
    case ACT_DISCOUNT_SALE:
      return till_cart_set_sale_discount (cart, journal, user, (int) act->value, reason, override,
                                          error);
    case ACT_DISCOUNT_SALE_AMOUNT:
      return till_cart_set_sale_discount_amount (cart, journal, user, act->value, reason, override,
                                                 error);
    case ACT_SUSPEND:
      return till_held_sale_suspend (cart, journal, user, override, error) != 0;
    case ACT_RESUME:
    default:
      return till_held_sale_resume (cart, journal, user, act->value, override, error);
    }
}

static TillPrinterMonitor *
get_printer_monitor (void)
{
  GApplication *app = g_application_get_default ();

  return TILL_IS_APPLICATION (app) ? till_application_get_printer_monitor (TILL_APPLICATION (app))
                                   : NULL;
}

/* The opening is on the record: now the pulse. A drawer that cannot be sent
 * to stays recorded as opened by this user, which is what an auditor wants
 * to see next to the cash count. */
static char *
send_drawer_pulse (TillCheckoutView *self)
{
  TillPrinterMonitor *monitor = get_printer_monitor ();
  g_autoptr (GError) error = NULL;

  if (monitor == NULL)
    return g_strdup (_ ("No cash drawer is configured: open it with the key."));
  if (!till_printer_monitor_queue_drawer_pulse (monitor, NULL, &error))
    return g_strdup_printf (_ ("The drawer could not be opened: %s"), error->message);
  return g_strdup (_ ("Drawer opened (no sale)."));
}

static void
act_done (TillCheckoutView *self, PendingAct *act)
{
  g_autofree char *message = NULL;
  g_autofree char *money = NULL;
  TillCartLine    *line;

  if (act->kind == ACT_QUANTITY)
    {
      /* Shown as a line added: the product, its quantity and price. */
      till_keypad_clear (self->keypad);
      line = till_cart_get_line (get_cart (self), act->position);
      if (line != NULL)
        line_added (self, line);
      return;
    }
  switch (act->kind)
    {
    case ACT_VOID_LINE:
      message = g_strdup_printf (_ ("Voided %s"), act->name);
      break;
    case ACT_VOID_SALE:
      message = g_strdup (_ ("Sale voided."));
      break;
    case ACT_OVERRIDE_PRICE:
      money = till_ui_format_money (act->value);
      message = g_strdup_printf (_ ("%s now costs %s"), act->name, money);
      till_keypad_clear (self->keypad);
      break;
    case ACT_DISCOUNT_LINE:
      message = g_strdup_printf (_ ("%s: %d.%02d %% off"), act->name, (int) act->value / 100,
                                 (int) act->value % 100);
      till_keypad_clear (self->keypad);
      break;
    case ACT_NO_SALE:
      message = send_drawer_pulse (self);
      till_ui_toast (GTK_WIDGET (self), message);
      break;
    case ACT_DISCOUNT_SALE:
      message = g_strdup_printf (_ ("Whole sale: %d.%02d %% off"), (int) act->value / 100,
                                 (int) act->value % 100);
      till_keypad_clear (self->keypad);
      break;
    case ACT_DISCOUNT_SALE_AMOUNT:
      money = till_ui_format_money (act->value);
      message = g_strdup_printf (_ ("Whole sale: %s off"), money);
      till_keypad_clear (self->keypad);
      break;
    case ACT_SUSPEND:
      message = g_strdup (_ ("Sale suspended: tap Resume to bring it back."));
      break;
    case ACT_RESUME:
    default:
      message = g_strdup (_ ("Held sale resumed."));
      break;
    }
  set_status (self, message, FALSE);
  if (act->kind == ACT_OVERRIDE_PRICE || act->kind == ACT_DISCOUNT_LINE)
    {
      line = till_cart_get_line (get_cart (self), act->position);
      if (line != NULL)
        select_line (self, line);
    }
  update_actions (self);
}

static void
override_dialog_destroyed_cb (TillCheckoutView *self)
{
  self->override_dialog = NULL;
  g_clear_pointer (&self->pending, pending_act_free);
  till_checkout_view_focus_keypad (self);
}

static void
override_cancelled_cb (TillCheckoutView *self)
{
  set_status (self, _ ("Cancelled: nothing was changed."), FALSE);
}

/* The supervisor approved: the same core call again, with the approval. */
static void
override_approved_cb (TillCheckoutView *self, TillOverrideDialog *dialog)
{
  TillOverride override;
  g_autoptr (GError) error = NULL;
  PendingAct *act = self->pending;

  if (act == NULL || !till_override_dialog_get_override (dialog, &override))
    return;
  /* The cashier's own reason stays the act's; the supervisor's goes with the
   * approval. */
  if (!act_run (self, act, act->reason != NULL ? act->reason : override.reason, &override, &error))
    {
      /* A wrong PIN, or a supervisor who may not approve this either: try again. */
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          return;
        }
      show_error (self, error->message);
      gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }
  act_done (self, act);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* What the override dialog offers first: the cashier's reason when the dialog
 * knows it, else the act's usual one. */
static const char *
override_default_reason (PendingAct *act)
{
  const char *const known[] = { TILL_REASON_CUSTOMER_CHANGED_MIND, TILL_REASON_WRONG_ITEM,
                                TILL_REASON_PRICE_ERROR, TILL_REASON_DAMAGED, TILL_REASON_OTHER };

  for (guint i = 0; act->reason != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (act->reason, known[i]))
      return act->reason;
  return act_default_reason (act->kind);
}

/* Tries @act (taken) as the signed-in user; when the core wants a supervisor,
 * asks for one. */
static void
act_start (TillCheckoutView *self, PendingAct *act)
{
  g_autoptr (GError) error = NULL;
  GtkRoot *root;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (act_run (self, act, act->reason != NULL ? act->reason : act_default_reason (act->kind), NULL,
               &error))
    {
      act_done (self, act);
      pending_act_free (act);
      return;
    }
  if (!till_permission_error_needs_override (error))
    {
      show_error (self, error->message);
      pending_act_free (act);
      return;
    }
  set_status (self, error->message, TRUE);
  self->pending = act;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->override_dialog =
      till_override_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                till_permission_get_label (act_permission (act->kind)),
                                error->message, override_default_reason (act));
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "cancelled", G_CALLBACK (override_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy",
                           G_CALLBACK (override_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
}

static PendingAct *
act_new_for_line (TillCheckoutView *self, ActKind kind)
{
  guint         position = till_checkout_view_get_selected (self);
  TillCartLine *line = till_cart_get_line (get_cart (self), position);
  PendingAct   *act;

  if (line == NULL)
    {
      show_error (self, _ ("Tap a line first."));
      return NULL;
    }
  act = g_new0 (PendingAct, 1);
  act->kind = kind;
  act->position = position;
  act->name = g_strdup (till_product_get_name (till_cart_line_get_product (line)));
  return act;
}

static void
delete_line_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  PendingAct       *act = act_new_for_line (self, ACT_VOID_LINE);

  if (act != NULL)
    act_start (self, act);
}

/* ---- Asking the cashier why, before anything happens -------------------------- */

typedef struct
{
  const char *code; /* journaled as it is */
  const char *label;
} ActReason;

static const ActReason void_sale_reasons[] = {
  { TILL_REASON_CUSTOMER_CHANGED_MIND, N_ ("Customer changed mind") },
  { "customer-cannot-pay", N_ ("Customer cannot pay") },
  { TILL_REASON_WRONG_ITEM, N_ ("Wrong item scanned") },
  { TILL_REASON_OTHER, N_ ("Other") },
};

static const ActReason no_sale_reasons[] = {
  { "change-for-customer", N_ ("Change for a customer") },
  { "cash-count", N_ ("Count the cash") },
  { "wrong-change", N_ ("Correct wrong change") },
  { TILL_REASON_OTHER, N_ ("Other") },
};

static const ActReason sale_discount_reasons[] = {
  { "complaint-goodwill", N_ ("Goodwill for a complaint") },
  { TILL_REASON_DAMAGED, N_ ("Damaged goods") },
  { TILL_REASON_PRICE_ERROR, N_ ("Price error") },
  { TILL_REASON_OTHER, N_ ("Other") },
};

static void
reason_dialog_destroyed_cb (TillCheckoutView *self)
{
  self->reason_dialog = NULL;
  if (self->asking != NULL)
    {
      /* Closed without a reason: the act never started. */
      g_clear_pointer (&self->asking, pending_act_free);
      set_status (self, _ ("Cancelled: nothing was changed."), FALSE);
    }
  update_actions (self);
  till_checkout_view_focus_keypad (self);
}

static void
reason_clicked_cb (GtkButton *button, TillCheckoutView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sale.act-reason", "s",
                              g_object_get_data (G_OBJECT (button), "reason-code"));
}

static GtkWidget *
touch_button_new (const char *label)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_size_request (button, 200, 56);
  return button;
}

/* Shows the reasons for @act (taken) in a modal window; the act starts when
 * one is picked (sale.act-reason), and is dropped when the window closes. */
static void
act_ask_reason (TillCheckoutView *self,
                PendingAct       *act,
                const char       *question,
                const ActReason  *reasons,
                guint             n_reasons)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 16);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *heading = gtk_label_new (question);
  GtkWidget *cancel = touch_button_new (_ ("Cancel"));

  if (self->reason_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->reason_dialog));
  g_clear_pointer (&self->asking, pending_act_free);
  self->asking = act;

  gtk_widget_set_name (window, "reason-dialog");
  gtk_widget_add_css_class (window, "till");
  gtk_window_set_title (GTK_WINDOW (window), question);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
    }
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-2");
  gtk_box_append (GTK_BOX (box), heading);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  for (guint i = 0; i < n_reasons; i++)
    {
      GtkWidget *button = touch_button_new (_ (reasons[i].label));

      g_object_set_data (G_OBJECT (button), "reason-code", (gpointer) reasons[i].code);
      g_signal_connect (button, "clicked", G_CALLBACK (reason_clicked_cb), self);
      gtk_grid_attach (GTK_GRID (grid), button, (int) (i % 2), (int) (i / 2), 1, 1);
    }
  gtk_box_append (GTK_BOX (box), grid);

  gtk_widget_set_halign (cancel, GTK_ALIGN_END);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), window);
  gtk_box_append (GTK_BOX (box), cancel);
  gtk_window_set_child (GTK_WINDOW (window), box);

  self->reason_dialog = window;
  g_signal_connect_object (window, "destroy", G_CALLBACK (reason_dialog_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  update_actions (self);
  gtk_window_present (GTK_WINDOW (window));
}

/* The reason picked (by code): the waiting act starts with it. */
static void
act_reason_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  g_autofree char  *reason = g_strstrip (g_variant_dup_string (parameter, NULL));
  PendingAct       *act = g_steal_pointer (&self->asking);

  if (act == NULL)
    return;
  if (*reason == '\0')
    {
      self->asking = act;
      show_error (self, _ ("Choose a reason."));
      return;
    }
  act->reason = g_steal_pointer (&reason);
  if (self->reason_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->reason_dialog));
  act_start (self, act);
}

static void
void_sale_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  PendingAct       *act;

  if (till_cart_get_n_lines (get_cart (self)) == 0)
    {
      show_error (self, _ ("There is no sale to void."));
      return;
    }
  act = g_new0 (PendingAct, 1);
  act->kind = ACT_VOID_SALE;
  act_ask_reason (self, act, _ ("Void the whole sale: why?"), void_sale_reasons,
                  G_N_ELEMENTS (void_sale_reasons));
}

/* Opening the drawer without a sale. Allowed while a sale is on screen: a
 * real till opens for change at any moment, and the core's permission check
 * and journal entry are the control, not the cart. */
static void
no_sale_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  PendingAct       *act = g_new0 (PendingAct, 1);

  act->kind = ACT_NO_SALE;
  act_ask_reason (self, act, _ ("Open the drawer without a sale: why?"), no_sale_reasons,
                  G_N_ELEMENTS (no_sale_reasons));
}

/* The keypad's number off the whole sale: as a percentage ("10", "12.5") for
 * sale.discount-sale, as yuan ("5", "5.50") for sale.discount-sale-amount. */
static void
discount_sale_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *text = g_variant_get_string (parameter, NULL);
  gboolean          percent = g_str_equal (action_name, "sale.discount-sale");
  gint64            value = 0;
  PendingAct       *act;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->sale_discount_button));
  if (*text == '\0')
    {
      show_error (self, _ ("Type the discount on the keypad first, then tap Sale discount."));
      return;
    }
  /* Percent with two decimals is basis points, as yuan with two decimals is fen. */
  if (!till_money_parse (text, &value, NULL) || value <= 0 || (percent && value > 10000))
    {
      g_autofree char *message =
          percent ? g_strdup_printf (_ ("“%s” is not a discount between 0 and 100 %%."), text)
                  : g_strdup_printf (_ ("“%s” is not an amount."), text);
      show_error (self, message);
      return;
    }
  if (!percent && value > till_cart_get_subtotal (get_cart (self)))
    {
      show_error (self, _ ("The discount is more than the sale."));
      return;
    }
  act = g_new0 (PendingAct, 1);
  act->kind = percent ? ACT_DISCOUNT_SALE : ACT_DISCOUNT_SALE_AMOUNT;
  act->value = value;
  act_ask_reason (self, act, _ ("Discount on the whole sale: why?"), sale_discount_reasons,
                  G_N_ELEMENTS (sale_discount_reasons));
}

static void
receipts_dialog_destroyed_cb (TillCheckoutView *self)
{
  self->receipts_dialog = NULL;
  till_checkout_view_focus_keypad (self);
}

static void
recall_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  GtkRoot          *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->receipts_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->receipts_dialog));
      return;
    }
  self->receipts_dialog = GTK_WIDGET (till_receipts_dialog_new (
      GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session, get_printer_monitor ()));
  g_signal_connect_object (self->receipts_dialog, "destroy",
                           G_CALLBACK (receipts_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
}

/* ---- Coupons: keyed in a dialog, or scanned -------------------------------------- */

static void
coupon_dialog_destroyed_cb (TillCheckoutView *self)
{
  self->coupon_dialog = NULL;
  self->coupon_keypad = NULL;
  self->coupon_error = NULL;
  till_checkout_view_focus_keypad (self);
}

static void
coupon_apply_cb (TillCheckoutView *self)
{
  g_autofree char *code = NULL;

  if (self->coupon_keypad == NULL)
    return;
  code = g_strdup (till_keypad_get_text (self->coupon_keypad));
  if (*code == '\0')
    {
      coupon_dialog_show_error (self, _ ("Key or scan the coupon's code first."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "sale.coupon", "s", code);
}

/* The keypad has digits only; coupon codes may have letters too, from a
 * keyboard or a keyboard-wedge scanner. */
static gboolean
coupon_key_pressed_cb (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       TillCheckoutView      *self)
{
  gunichar character = gdk_keyval_to_unicode (keyval);

  if (self->coupon_keypad == NULL || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  if (character < 128 && (g_ascii_isalpha ((char) character) || character == '-'))
    {
      g_autofree char *text =
          g_strdup_printf ("%s%c", till_keypad_get_text (self->coupon_keypad), (char) character);

      till_keypad_set_text (self->coupon_keypad, text);
      return TRUE;
    }
  return till_keypad_handle_key (self->coupon_keypad, keyval);
}

/* A small modal window in the manner of the reason dialog: the code on a
 * keypad, the refusal under it, Cancel and Apply. */
static void
coupon_dialog_open (TillCheckoutView *self)
{
  GtkRoot            *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget          *window;
  GtkWidget          *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget          *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget          *label;
  GtkWidget          *button;
  GtkEventController *keys;

  if (self->coupon_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->coupon_dialog));
      return;
    }
  window = gtk_window_new ();
  gtk_widget_set_name (window, "coupon-dialog");
  gtk_widget_add_css_class (window, "till");
  gtk_window_set_title (GTK_WINDOW (window), _ ("Coupon"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
    }
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);

  label = gtk_label_new (_ ("Coupon"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-2");
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (_ ("Scan the coupon, or key its code and tap Apply."));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_box_append (GTK_BOX (box), label);

  self->coupon_keypad = TILL_KEYPAD (till_keypad_new ());
  g_object_set (self->coupon_keypad, "allow-decimal", FALSE, "max-length", 32, "enter-label",
                _ ("Apply"), "placeholder", _ ("Coupon code"), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->coupon_keypad), 320, 360);
  g_signal_connect_object (self->coupon_keypad, "activate", G_CALLBACK (coupon_apply_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->coupon_keypad));

  self->coupon_error = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->coupon_error), 0);
  gtk_label_set_wrap (GTK_LABEL (self->coupon_error), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->coupon_error), 28);
  gtk_widget_add_css_class (self->coupon_error, "error-message");
  gtk_widget_set_visible (self->coupon_error, FALSE);
  gtk_box_append (GTK_BOX (box), self->coupon_error);

  gtk_box_set_homogeneous (GTK_BOX (buttons), TRUE);
  button = gtk_button_new_with_label (_ ("Cancel"));
  gtk_widget_set_size_request (button, -1, 56);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (gtk_window_destroy), window);
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_label (_ ("Apply"));
  gtk_widget_set_size_request (button, -1, 56);
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_object (button, "clicked", G_CALLBACK (coupon_apply_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_window_set_child (GTK_WINDOW (window), box);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (coupon_key_pressed_cb), self, 0);
  gtk_widget_add_controller (window, keys);

  self->coupon_dialog = window;
  g_signal_connect_object (window, "destroy", G_CALLBACK (coupon_dialog_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (GTK_WIDGET (self->coupon_keypad));
}

/* sale.coupon(s): a coupon's code for this sale; an empty one opens the
 * dialog to key it in. */
static void
coupon_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  g_autofree char  *code = g_strstrip (g_variant_dup_string (parameter, NULL));
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (GError) error = NULL;

  if (*code == '\0')
    {
      coupon_dialog_open (self);
      return;
    }
  promotion = till_cart_add_coupon (get_cart (self), code, &error);
  if (promotion == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON))
        message = g_strdup_printf (_ ("No coupon has the code %s."), code);
      else
        message = g_strdup (error->message);
      show_error (self, message);
      coupon_dialog_show_error (self, message);
      return;
    }
  coupon_added (self, promotion);
}

static void
remove_coupon_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *code = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (!till_cart_remove_coupon (get_cart (self), code, &error))
    {
      show_error (self, error->message);
      return;
    }
  message = g_strdup_printf (_ ("Coupon %s taken off the sale."), code);
  set_status (self, message, FALSE);
  refresh_coupons (self);
  update_actions (self);
}

/* The quantity keyed for the selected line: a change the core checks (a
 * cashier may by default) and journals. */
static void
set_quantity_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *text = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  gint64      quantity = 0;
  PendingAct *act;

  if (*text == '\0')
    {
      show_error (self, _ ("Type the quantity on the keypad first, then tap Quantity."));
      return;
    }
  if (!till_quantity_parse (text, &quantity, &error))
    {
      g_autofree char *message = g_strdup_printf (_ ("“%s” is not a quantity."), text);
      show_error (self, message);
      return;
    }
  if (quantity <= 0)
    {
      show_error (self,
                  _ ("The quantity must be more than zero. To remove the line, tap Delete line."));
      return;
    }
  act = act_new_for_line (self, ACT_QUANTITY);
  if (act == NULL)
    return;
  act->value = quantity;
  act_start (self, act);
}

/* The new unit price, keyed in yuan ("12.5"), for the selected line. */
static void
override_price_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *text = g_variant_get_string (parameter, NULL);
  gint64            price = 0;
  PendingAct       *act;

  if (*text == '\0')
    {
      show_error (self, _ ("Type the new price on the keypad first, then tap Price."));
      return;
    }
  if (!till_money_parse (text, &price, NULL) || price < 0)
    {
      g_autofree char *message = g_strdup_printf (_ ("“%s” is not a price."), text);
      show_error (self, message);
      return;
    }
  act = act_new_for_line (self, ACT_OVERRIDE_PRICE);
  if (act == NULL)
    return;
  act->value = price;
  act_start (self, act);
}

/* A percentage off the selected line, keyed as "10" or "12.5". */
static void
discount_line_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  const char       *text = g_variant_get_string (parameter, NULL);
  gint64            basis_points = 0;
  PendingAct       *act;

  if (*text == '\0')
    {
      show_error (
          self, _ ("Type the discount as a percentage on the keypad first, then tap Discount %."));
      return;
    }
  /* Percent with two decimals is basis points, as yuan with two decimals is fen. */
  if (!till_money_parse (text, &basis_points, NULL) || basis_points < 0 || basis_points > 10000)
    {
      g_autofree char *message =
          g_strdup_printf (_ ("“%s” is not a discount between 0 and 100 %%."), text);
      show_error (self, message);
      return;
    }
  act = act_new_for_line (self, ACT_DISCOUNT_LINE);
  if (act == NULL)
    return;
  act->value = basis_points;
  act_start (self, act);
}

static void
suspend_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  PendingAct       *act = g_new0 (PendingAct, 1);

  act->kind = ACT_SUSPEND;
  act_start (self, act);
}

static void
resume_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);
  PendingAct       *act = g_new0 (PendingAct, 1);

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->resume_button));
  act->kind = ACT_RESUME;
  act->value = g_variant_get_int64 (parameter);
  act_start (self, act);
}

static GtkWidget *
held_row_new (TillHeldSale *held)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (held->held_us / G_USEC_PER_SEC);
  g_autofree char *time = g_date_time_format (when, held->stale ? "%m-%d %H:%M" : "%H:%M");
  g_autofree char *total = till_ui_format_money (held->total);
  g_autofree char *items = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", held->n_lines), held->n_lines);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label;

  label = gtk_label_new (time);
  gtk_label_set_width_chars (GTK_LABEL (label), 11);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (held->cashier_name != NULL ? held->cashier_name : held->cashier_code);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), 6);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (items);
  gtk_label_set_width_chars (GTK_LABEL (label), 6);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  if (held->stale)
    {
      /* Held on an earlier day: its prices may be out of date. */
      GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (warning, "warning");
      gtk_widget_set_tooltip_text (warning, _ ("Held on an earlier day"));
      gtk_box_append (GTK_BOX (box), warning);
    }
  label = gtk_label_new (total);
  gtk_label_set_width_chars (GTK_LABEL (label), 9);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);

  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_set_size_request (button, 440, 56);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sale.resume");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (held->id));
  return button;
}

/* The held sales are read each time the list opens: another sale may have been
 * suspended or resumed since. */
static void
held_popover_shown_cb (TillCheckoutView *self)
{
  g_autoptr (GPtrArray) held = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->held_list)) != NULL)
    gtk_box_remove (GTK_BOX (self->held_list), child);
  if (self->session == NULL)
    return;
  held = till_held_sale_list (till_session_get_store (self->session), &error);
  if (held == NULL)
    {
      gtk_box_append (GTK_BOX (self->held_list), gtk_label_new (error->message));
      return;
    }
  if (held->len == 0)
    {
      GtkWidget *none = gtk_label_new (_ ("No sales are held."));

      gtk_widget_add_css_class (none, "dim-label");
      gtk_widget_set_size_request (none, 440, 56);
      gtk_box_append (GTK_BOX (self->held_list), none);
      return;
    }
  for (guint i = 0; i < held->len; i++)
    gtk_box_append (GTK_BOX (self->held_list), held_row_new (g_ptr_array_index (held, i)));
}

static void
resume_list_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);

  gtk_menu_button_popup (GTK_MENU_BUTTON (self->resume_button));
}

static void
pay_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (widget);

  if (till_cart_get_n_lines (get_cart (self)) == 0)
    {
      show_error (self, _ ("The sale is empty: scan an item first."));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_PAY_REQUESTED], 0);
}

/* Callbacks */

static void
keypad_activate_cb (TillCheckoutView *self, TillKeypad *keypad)
{
  g_autofree char *text = g_strdup (till_keypad_get_text (keypad));

  gtk_widget_activate_action (GTK_WIDGET (self), "sale.add-plu", "s", text);
}

static void
keypad_text_cb (TillCheckoutView *self)
{
  /* The Quantity button carries the number typed so far, so that it is a plain
   * actionable whose sensitivity follows sale.set-quantity. */
  GtkWidget *buttons[] = { self->quantity_button, self->price_button, self->discount_button };

  GtkWidget  *sale_buttons[] = { self->sale_discount_percent_button,
                                 self->sale_discount_amount_button };
  const char *text = till_keypad_get_text (self->keypad);
  gint64      value = 0;

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (buttons[i]),
                                            g_variant_new_string (text));
  for (guint i = 0; i < G_N_ELEMENTS (sale_buttons); i++)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (sale_buttons[i]),
                                            g_variant_new_string (text));

  /* The popover spells out what the number would do, both ways. */
  if (*text != '\0' && till_money_parse (text, &value, NULL) && value > 0)
    {
      g_autofree char *hint = g_strdup_printf (_ ("Take %s off the whole sale as:"), text);
      g_autofree char *percent = g_strdup_printf (_ ("%s %% off"), text);
      g_autofree char *money = till_ui_format_money (value);
      g_autofree char *amount = g_strdup_printf (_ ("%s off"), money);

      gtk_label_set_text (GTK_LABEL (self->sale_discount_hint), hint);
      gtk_button_set_label (GTK_BUTTON (self->sale_discount_percent_button), percent);
      gtk_button_set_label (GTK_BUTTON (self->sale_discount_amount_button), amount);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->sale_discount_hint),
                          _ ("Type the discount on the keypad first, then choose:"));
      gtk_button_set_label (GTK_BUTTON (self->sale_discount_percent_button), _ ("Percent off"));
      gtk_button_set_label (GTK_BUTTON (self->sale_discount_amount_button), _ ("Yuan off"));
    }
}

static void
search_changed_cb (TillCheckoutView *self, GtkSearchEntry *entry)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sale.search", "s",
                              gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
search_activate_cb (TillCheckoutView *self, GtkSearchEntry *entry)
{
  GtkFlowBoxChild *first = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (self->products_box), 0);

  /* Enter in the search takes the best match, like a tap on it. */
  if (first != NULL && gtk_editable_get_text (GTK_EDITABLE (entry))[0] != '\0')
    gtk_widget_activate (gtk_flow_box_child_get_child (first));
}

static void
category_toggled_cb (GtkToggleButton *button, TillCheckoutView *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  gtk_widget_activate_action (
      GTK_WIDGET (self), "sale.show-category", "x",
      (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "category-id")));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TillCheckoutView      *self)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* Typing in the search box stays there; anywhere else digits go to the keypad. */
  if (focus != NULL && GTK_IS_EDITABLE (focus))
    return FALSE;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  return till_keypad_handle_key (self->keypad, keyval);
}

static void
cart_items_changed_cb (
    TillCheckoutView *self, guint position, guint removed, guint added, GListModel *model)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->cart_stack),
                                    g_list_model_get_n_items (model) > 0 ? "lines" : "empty");
  update_actions (self);
}

static void
selection_changed_cb (TillCheckoutView *self)
{
  update_actions (self);
}

static void
user_changed_cb (TillCheckoutView *self)
{
  update_actions (self);
}

static void
row_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gtk_list_item_set_child (item, line_box_new ());
}

static void
row_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, TillCheckoutView *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);

  till_cart_row_set_line (TILL_CART_ROW (g_object_get_data (G_OBJECT (box), "cart-row")),
                          gtk_list_item_get_item (item), gtk_list_item_get_position (item));
  if (!g_ptr_array_find (self->bound_rows, box, NULL))
    g_ptr_array_add (self->bound_rows, box);
  fill_line_details (self, box);
}

static void
row_position_cb (GtkListItem *item, GParamSpec *pspec, TillCheckoutView *self)
{
  /* Lines move up when one above them is deleted: renumber. */
  if (gtk_list_item_get_item (item) != NULL)
    row_bind_cb (NULL, item, self);
}

static void
row_setup_position_cb (GtkSignalListItemFactory *factory, GtkListItem *item, TillCheckoutView *self)
{
  g_signal_connect (item, "notify::position", G_CALLBACK (row_position_cb), self);
}

static void
row_unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, TillCheckoutView *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);

  till_cart_row_set_line (TILL_CART_ROW (g_object_get_data (G_OBJECT (box), "cart-row")), NULL, 0);
  g_ptr_array_remove (self->bound_rows, box);
  fill_line_details (self, box);
}

static gboolean
money_transform_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_take_string (to, till_ui_format_money (g_value_get_int64 (from)));
  return TRUE;
}

static gboolean
rounding_transform_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  gint64           rounding = g_value_get_int64 (from);
  g_autofree char *money = till_ui_format_money (rounding);

  /* 抹零 lowers the total: show it with its sign so that the sum reads right. */
  g_value_take_string (to,
                       rounding > 0 ? g_strdup_printf ("+%s", money) : g_steal_pointer (&money));
  return TRUE;
}

static gboolean
item_count_transform_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_take_string (to, g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (from)));
  return TRUE;
}

static void
populate_categories (TillCheckoutView *self)
{
  g_autoptr (GPtrArray) categories = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_last_child (self->category_box)) != NULL &&
         gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child)) !=
             GTK_WIDGET (self->popular_button))
    gtk_flow_box_remove (GTK_FLOW_BOX (self->category_box), child);

  categories = till_catalog_list_categories (till_session_get_catalog (self->session), 0, &error);
  if (categories == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < categories->len; i++)
    {
      TillCategory *category = g_ptr_array_index (categories, i);
      GtkWidget    *button = gtk_toggle_button_new_with_label (till_category_get_name (category));

      gtk_widget_add_css_class (button, "category-button");
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), self->popular_button);
      g_object_set_data (G_OBJECT (button), "category-id",
                         GSIZE_TO_POINTER ((gsize) till_category_get_id (category)));
      g_signal_connect (button, "toggled", G_CALLBACK (category_toggled_cb), self);
      gtk_flow_box_append (GTK_FLOW_BOX (self->category_box), button);
    }
}

/* ---- Scale and camera --------------------------------------------------------- */

static const char *
scale_state_text (TillScaleState state)
{
  switch (state)
    {
    case TILL_SCALE_STATE_STABLE:
      return _ ("Stable");
    case TILL_SCALE_STATE_UNSTABLE:
      return _ ("Unstable");
    case TILL_SCALE_STATE_NEGATIVE:
      return _ ("Below zero");
    case TILL_SCALE_STATE_OVERLOAD:
      return _ ("Overload");
    case TILL_SCALE_STATE_UNDERLOAD:
      return _ ("Under range");
    case TILL_SCALE_STATE_ERROR:
      return _ ("Fault");
    case TILL_SCALE_STATE_NO_ANSWER:
    default:
      return _ ("No answer");
    }
}

static void
scale_reading_cb (TillCheckoutView *self)
{
  TillScaleReading reading;
  g_autofree char *weight = NULL;

  if (!till_devices_get_scale_reading (self->devices, &reading, NULL))
    return;
  if (reading.state == TILL_SCALE_STATE_NO_ANSWER || reading.state == TILL_SCALE_STATE_OVERLOAD ||
      reading.state == TILL_SCALE_STATE_ERROR)
    weight = g_strdup ("-.--- kg");
  else
    weight = g_strdup_printf ("%s%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT " kg",
                              reading.weight < 0 ? "-" : "", ABS (reading.weight) / 1000,
                              ABS (reading.weight) % 1000);
  gtk_label_set_text (GTK_LABEL (self->scale_weight_label), weight);
  gtk_label_set_text (GTK_LABEL (self->scale_state_label), scale_state_text (reading.state));
  if (reading.state == TILL_SCALE_STATE_STABLE)
    {
      gtk_widget_add_css_class (self->scale_state_label, "success");
      gtk_widget_remove_css_class (self->scale_state_label, "error");
    }
  else
    {
      gtk_widget_add_css_class (self->scale_state_label, "error");
      gtk_widget_remove_css_class (self->scale_state_label, "success");
    }
}

/* The scale is read only while the sale screen shows. */
static void
mapped_cb (TillCheckoutView *self)
{
  if (self->devices != NULL)
    till_devices_set_scale_polling (self->devices, TRUE);
}

static void
unmapped_cb (TillCheckoutView *self)
{
  if (self->devices != NULL)
    till_devices_set_scale_polling (self->devices, FALSE);
}

static void
camera_popover_shown_cb (TillCheckoutView *self)
{
  if (self->devices != NULL)
    till_devices_set_camera_active (self->devices, TRUE);
}

static void
camera_popover_closed_cb (TillCheckoutView *self)
{
  if (self->devices != NULL)
    till_devices_set_camera_active (self->devices, FALSE);
  till_checkout_view_focus_keypad (self);
}

static void
camera_close_clicked_cb (TillCheckoutView *self)
{
  gtk_popover_popdown (GTK_POPOVER (self->camera_popover));
}

static void
till_checkout_view_dispose (GObject *object)
{
  TillCheckoutView *self = TILL_CHECKOUT_VIEW (object);

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  g_clear_pointer (&self->pending, pending_act_free);
  g_clear_pointer (&self->asking, pending_act_free);
  if (self->reason_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->reason_dialog));
  if (self->receipts_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->receipts_dialog));
  if (self->coupon_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->coupon_dialog));
  if (self->member_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->member_dialog));
  g_clear_pointer (&self->suggested, g_array_unref);
  g_clear_pointer (&self->member_coupon_codes, g_strfreev);
  if (self->cart_list != NULL)
    gtk_list_view_set_model (self->cart_list, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_CHECKOUT_VIEW);
  {
    GtkWidget *child;

    /* The template's unnamed root box is not cleared by dispose_template(). */
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  if (self->devices != NULL)
    {
      till_devices_set_scale_polling (self->devices, FALSE);
      till_devices_set_camera_active (self->devices, FALSE);
    }
  g_clear_object (&self->devices);
  g_clear_object (&self->selection);
  g_clear_object (&self->session);
  g_clear_pointer (&self->bound_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (till_checkout_view_parent_class)->dispose (object);
}

static void
till_checkout_view_class_init (TillCheckoutViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_checkout_view_dispose;

  signals[SIGNAL_PAY_REQUESTED] =
      g_signal_new ("pay-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "sale.scan", "s", scan_action);
  gtk_widget_class_install_action (widget_class, "sale.add-plu", "s", add_plu_action);
  gtk_widget_class_install_action (widget_class, "sale.add-product", "x", add_product_action);
  gtk_widget_class_install_action (widget_class, "sale.search", "s", search_action);
  gtk_widget_class_install_action (widget_class, "sale.show-category", "x", show_category_action);
  gtk_widget_class_install_action (widget_class, "sale.select-line", "u", select_line_action);
  gtk_widget_class_install_action (widget_class, "sale.set-quantity", "s", set_quantity_action);
  gtk_widget_class_install_action (widget_class, "sale.delete-line", NULL, delete_line_action);
  gtk_widget_class_install_action (widget_class, "sale.clear", NULL, void_sale_action);
  gtk_widget_class_install_action (widget_class, "sale.void-sale", NULL, void_sale_action);
  gtk_widget_class_install_action (widget_class, "sale.no-sale", NULL, no_sale_action);
  gtk_widget_class_install_action (widget_class, "sale.discount-sale", "s", discount_sale_action);
  gtk_widget_class_install_action (widget_class, "sale.discount-sale-amount", "s",
                                   discount_sale_action);
  gtk_widget_class_install_action (widget_class, "sale.act-reason", "s", act_reason_action);
  gtk_widget_class_install_action (widget_class, "sale.recall", NULL, recall_action);
  gtk_widget_class_install_action (widget_class, "sale.override-price", "s", override_price_action);
  gtk_widget_class_install_action (widget_class, "sale.discount-line", "s", discount_line_action);
  gtk_widget_class_install_action (widget_class, "sale.suspend", NULL, suspend_action);
  gtk_widget_class_install_action (widget_class, "sale.resume", "x", resume_action);
  gtk_widget_class_install_action (widget_class, "sale.resume-list", NULL, resume_list_action);
  gtk_widget_class_install_action (widget_class, "sale.pay", NULL, pay_action);
  gtk_widget_class_install_action (widget_class, "sale.coupon", "s", coupon_action);
  gtk_widget_class_install_action (widget_class, "sale.remove-coupon", "s", remove_coupon_action);
  gtk_widget_class_install_action (widget_class, "sale.member", NULL, member_action);
  gtk_widget_class_install_action (widget_class, "sale.attach-member", "s", attach_member_action);
  gtk_widget_class_install_action (widget_class, "sale.detach-member", NULL, detach_member_action);
  gtk_widget_class_install_action (widget_class, "sale.top-up", NULL, top_up_action);
  gtk_widget_class_install_action (widget_class, "sale.member-details", NULL,
                                   member_details_action);

  g_type_ensure (TILL_TYPE_KEYPAD);
  g_type_ensure (TILL_TYPE_CAMERA_PREVIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-checkout-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, cart_stack);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, cart_list);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, status_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, total_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, subtotal_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, rounding_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, item_count_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, category_box);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, popular_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, products_title);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, products_box);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, keypad);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, quantity_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, price_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, discount_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, sale_discount_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, sale_discount_hint);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView,
                                        sale_discount_percent_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView,
                                        sale_discount_amount_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, resume_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, held_list);
  gtk_widget_class_bind_template_callback (widget_class, held_popover_shown_cb);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, camera_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, camera_popover);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, camera_preview);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, scale_box);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, scale_weight_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, scale_state_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, promotion_caption);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, promotion_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, coupon_box);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, member_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, member_strip);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, member_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, member_balance_label);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, top_up_button);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, suggestions_row);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, suggestions_box);
  gtk_widget_class_bind_template_child (widget_class, TillCheckoutView, member_coupons_box);
  gtk_widget_class_bind_template_callback (widget_class, camera_popover_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, camera_popover_closed_cb);
  gtk_widget_class_bind_template_callback (widget_class, camera_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, keypad_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, keypad_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "checkoutview");
}

static void
till_checkout_view_init (TillCheckoutView *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->bound_rows = g_ptr_array_new ();

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_position_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind_cb), self);
  gtk_list_view_set_factory (self->cart_list, factory);
  g_object_unref (factory);

  g_signal_connect_swapped (self->popular_button, "toggled", G_CALLBACK (category_toggled_cb),
                            self);

  /* Capture, so that digits reach the keypad whichever button has the focus (a
   * focused button would otherwise take Enter as a click). */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (unmapped_cb), NULL);

  keypad_text_cb (self);
  set_status (self, _ ("Ready: scan an item, tap a quick key or search."), FALSE);
  update_actions (self);
}

/**
 * till_checkout_view_set_session:
 *
 * Shows the session's cart and catalog. Called once, by the window.
 */
void
till_checkout_view_set_session (TillCheckoutView *self, TillSession *session)
{
  TillCart *cart;

  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  cart = till_session_get_cart (session);

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (cart)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  gtk_list_view_set_model (self->cart_list, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (cart, "items-changed", G_CALLBACK (cart_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::user", G_CALLBACK (user_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (cart, "repriced", G_CALLBACK (repriced_cb), self, G_CONNECT_SWAPPED);

  g_object_bind_property_full (cart, "total", self->total_label, "label", G_BINDING_SYNC_CREATE,
                               money_transform_cb, NULL, NULL, NULL);
  g_object_bind_property_full (cart, "subtotal", self->subtotal_label, "label",
                               G_BINDING_SYNC_CREATE, money_transform_cb, NULL, NULL, NULL);
  g_object_bind_property_full (cart, "rounding", self->rounding_label, "label",
                               G_BINDING_SYNC_CREATE, rounding_transform_cb, NULL, NULL, NULL);
  g_object_bind_property_full (cart, "item-count", self->item_count_label, "label",
                               G_BINDING_SYNC_CREATE, item_count_transform_cb, NULL, NULL, NULL);

  cart_items_changed_cb (self, 0, 0, 0, G_LIST_MODEL (cart));
  repriced_cb (self);
  populate_categories (self);
  show_popular (self);
  update_actions (self);
}

/**
 * till_checkout_view_drop_typed_scan:
 *
 * Takes back the characters of @code that a keyboard-wedge scanner typed into
 * the keypad before Enter showed they were a scan.
 */
void
till_checkout_view_drop_typed_scan (TillCheckoutView *self, const char *code)
{
  const char *typed;
  gsize       typed_len;
  gsize       code_len;

  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  g_return_if_fail (code != NULL);

  typed = till_keypad_get_text (self->keypad);
  typed_len = strlen (typed);
  code_len = strlen (code);
  if (typed_len >= code_len && strcmp (typed + typed_len - code_len, code) == 0)
    {
      g_autofree char *kept = g_strndup (typed, typed_len - code_len);
      till_keypad_set_text (self->keypad, kept);
    }
}

void
till_checkout_view_take_scan (TillCheckoutView *self, const char *code)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  g_return_if_fail (code != NULL);

  till_checkout_view_drop_typed_scan (self, code);
  gtk_widget_activate_action (GTK_WIDGET (self), "sale.scan", "s", code);
}

/**
 * till_checkout_view_show_message:
 *
 * Replaces the status line with an ordinary message (e.g. after a completed sale).
 */
void
till_checkout_view_show_message (TillCheckoutView *self, const char *message)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  set_status (self, message, FALSE);
}

/**
 * till_checkout_view_reload_catalog:
 *
 * Shows the categories and quick keys again from the catalog: master data
 * pulled from HQ changed them.
 */
void
till_checkout_view_reload_catalog (TillCheckoutView *self)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));

  if (self->session == NULL)
    return;
  populate_categories (self);
  gtk_toggle_button_set_active (self->popular_button, TRUE);
  show_popular (self);
}

/**
 * till_checkout_view_focus_keypad:
 *
 * Gives the keyboard focus to the keypad, so that typed digits and a scanner's
 * code land there rather than in the search box.
 */
void
till_checkout_view_focus_keypad (TillCheckoutView *self)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->keypad));
}

const char *
till_checkout_view_get_status (TillCheckoutView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  if (out_is_error != NULL)
    *out_is_error = self->status_is_error;
  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

const char *
till_checkout_view_get_total_text (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->total_label));
}

guint
till_checkout_view_get_selected (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), GTK_INVALID_LIST_POSITION);
  if (self->selection == NULL)
    return GTK_INVALID_LIST_POSITION;
  return gtk_single_selection_get_selected (self->selection);
}

TillKeypad *
till_checkout_view_get_keypad (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return self->keypad;
}

/**
 * till_checkout_view_set_devices:
 * Shows the scale's weight and the camera button when there are such devices.
 * Called by the window at start and again when the device settings change.
 */
void
till_checkout_view_set_devices (TillCheckoutView *self, TillDevices *devices)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));
  g_return_if_fail (TILL_IS_DEVICES (devices));

  if (devices == self->devices)
    return;
  /* The device settings were saved: the new devices replace the old ones. */
  if (self->devices != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->devices, self);
      till_devices_set_scale_polling (self->devices, FALSE);
      till_devices_set_camera_active (self->devices, FALSE);
      g_clear_object (&self->devices);
      gtk_widget_set_visible (self->scale_box, FALSE);
      gtk_widget_set_visible (self->camera_button, FALSE);
      till_camera_preview_set_scanner (TILL_CAMERA_PREVIEW (self->camera_preview), NULL);
    }
  self->devices = g_object_ref (devices);
  if (till_devices_has_scale (devices))
    {
      gtk_widget_set_visible (self->scale_box, TRUE);
      gtk_label_set_text (GTK_LABEL (self->scale_weight_label), "-.--- kg");
      gtk_label_set_text (GTK_LABEL (self->scale_state_label), "");
      g_signal_connect_object (devices, "scale-reading", G_CALLBACK (scale_reading_cb), self,
                               G_CONNECT_SWAPPED);
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        till_devices_set_scale_polling (devices, TRUE);
    }
  if (till_devices_get_camera (devices) != NULL)
    {
      gtk_widget_set_visible (self->camera_button, TRUE);
      till_camera_preview_set_scanner (TILL_CAMERA_PREVIEW (self->camera_preview),
                                       till_devices_get_camera (devices));
    }
}

/* The weight display as shown ("0.456 kg  Stable"), "" without a scale. */
char *
till_checkout_view_dup_scale_text (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  if (!gtk_widget_get_visible (self->scale_box))
    return g_strdup ("");
  return g_strdup_printf ("%s  %s", gtk_label_get_text (GTK_LABEL (self->scale_weight_label)),
                          gtk_label_get_text (GTK_LABEL (self->scale_state_label)));
}

/* Opens or closes the camera's preview (what the camera button does). */
void
till_checkout_view_set_camera_shown (TillCheckoutView *self, gboolean shown)
{
  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));

  if (!gtk_widget_get_visible (self->camera_button))
    return;
  if (shown)
    gtk_menu_button_popup (GTK_MENU_BUTTON (self->camera_button));
  else
    gtk_menu_button_popdown (GTK_MENU_BUTTON (self->camera_button));
}

gboolean
till_checkout_view_get_camera_available (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->camera_button);
}

TillOverrideDialog *
till_checkout_view_get_override_dialog (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return self->override_dialog;
}

GtkWidget *
till_checkout_view_get_held_list (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return self->held_list;
}

/**
 * till_checkout_view_reload_promotions:
 *
 * Reads the promotions again and prices the open sale with them: a sync pull
 * brought the "promotions" channel, or a manager changed one.
 */
void
till_checkout_view_reload_promotions (TillCheckoutView *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TILL_IS_CHECKOUT_VIEW (self));

  if (self->session == NULL)
    return;
  if (!till_cart_reload_promotions (get_cart (self), &error))
    {
      show_error (self, error->message);
      return;
    }
  repriced_cb (self);
}

/* The totals' promotions row ("-￥10.00"), or NULL while it is hidden (no saving). */
const char *
till_checkout_view_get_promotion_saving_text (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  if (!gtk_widget_get_visible (self->promotion_label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->promotion_label));
}

/* The hint bar's text, or NULL while it is hidden. */
const char *
till_checkout_view_get_hint_text (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  if (!gtk_widget_get_visible (self->hint_label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->hint_label));
}

static void
append_label_texts (GString *text, GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!GTK_IS_LABEL (child) || gtk_label_get_text (GTK_LABEL (child))[0] == '\0')
        continue;
      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, ' ');
      g_string_append (text, gtk_label_get_text (GTK_LABEL (child)));
    }
}

/**
 * till_checkout_view_dup_line_promotions_text:
 *
 * What the screen shows under the line at @position, one shown line per text
 * line ("￥6.25\n第二件半价 -￥1.25"; a gift: "Gift 满100送袋"), "" when
 * nothing, NULL when the line is not on screen.
 */
char *
till_checkout_view_dup_line_promotions_text (TillCheckoutView *self, guint position)
{
  TillCartLine *line;

  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  if (self->session == NULL || (line = till_cart_get_line (get_cart (self), position)) == NULL)
    return NULL;
  for (guint i = 0; i < self->bound_rows->len; i++)
    {
      GtkWidget *box = g_ptr_array_index (self->bound_rows, i);
      GtkWidget *details = g_object_get_data (G_OBJECT (box), "details");
      GString   *text;

      if (till_cart_row_get_line (g_object_get_data (G_OBJECT (box), "cart-row")) != line)
        continue;
      text = g_string_new (NULL);
      for (GtkWidget *child = gtk_widget_get_first_child (details); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          append_label_texts (text, child);
        }
      return g_string_free (text, FALSE);
    }
  return NULL;
}

/* The coupon chips' texts, one a line ("" when none is shown). */
char *
till_checkout_view_dup_coupons_text (TillCheckoutView *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (self->coupon_box);
       gtk_widget_get_visible (self->coupon_box) && child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *chip = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_object_get_data (G_OBJECT (chip), "text"));
    }
  return g_string_free (text, FALSE);
}

/* The coupon dialog while it is open (borrowed), else NULL; its refusal line
 * ("" when none) through @out_error. */
GtkWidget *
till_checkout_view_get_coupon_dialog (TillCheckoutView *self, const char **out_error)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  if (out_error != NULL)
    *out_error = self->coupon_error != NULL && gtk_widget_get_visible (self->coupon_error)
                     ? gtk_label_get_text (GTK_LABEL (self->coupon_error))
                     : "";
  return self->coupon_dialog;
}

/* The coupon dialog's keypad while it is open, for tests that key a code. */
TillKeypad *
till_checkout_view_get_coupon_keypad (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return self->coupon_keypad;
}

/* ---- Members (issue 9) ------------------------------------------------------ */

/**
 * till_checkout_view_get_member_dialog:
 *
 * Returns: (transfer none) (nullable): the member dialog (find, register or
 *   top up) while it is open
 */
TillMemberDialog *
till_checkout_view_get_member_dialog (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  return self->member_dialog;
}

/**
 * till_checkout_view_dup_member_text:
 *
 * Returns: (transfer full) (nullable): the member strip's two lines, or
 *   %NULL while no member is attached
 */
char *
till_checkout_view_dup_member_text (TillCheckoutView *self)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  if (!gtk_widget_get_visible (self->member_strip))
    return NULL;
  return g_strdup_printf ("%s\n%s", gtk_label_get_text (GTK_LABEL (self->member_label)),
                          gtk_label_get_text (GTK_LABEL (self->member_balance_label)));
}

/**
 * till_checkout_view_dup_suggestion_names:
 *
 * Returns: (transfer full): the names on the suggestions row, in order
 *   (empty while it is hidden)
 */
GStrv
till_checkout_view_dup_suggestion_names (TillCheckoutView *self)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  if (gtk_widget_get_visible (self->suggestions_row) && gtk_widget_get_visible (self->member_strip))
    for (GtkWidget *button = gtk_widget_get_first_child (self->suggestions_box); button != NULL;
         button = gtk_widget_get_next_sibling (button))
      g_ptr_array_add (names, g_strdup (gtk_label_get_text (
                                  GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))))));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * till_checkout_view_dup_member_coupons_text:
 *
 * Returns: (transfer full): the member's coupon chips, one a line: the
 *   coupon's name, a space and its code ("" while there are none)
 */
char *
till_checkout_view_dup_member_coupons_text (TillCheckoutView *self)
{
  GString *text;

  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);

  text = g_string_new (NULL);
  if (gtk_widget_get_visible (self->member_coupons_box) &&
      gtk_widget_get_visible (self->member_strip))
    for (GtkWidget *child = gtk_widget_get_first_child (self->member_coupons_box); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        GtkWidget *button = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

        g_string_append_printf (text, "%s %s\n", gtk_button_get_label (GTK_BUTTON (button)),
                                (const char *) g_object_get_data (G_OBJECT (button), "code"));
      }
  return g_string_free (text, FALSE);
}

/**
 * till_checkout_view_get_member_coupon_chip:
 * @code: a member coupon's code
 *
 * Returns: (transfer none) (nullable): the chip (a button) presenting @code
 */
GtkWidget *
till_checkout_view_get_member_coupon_chip (TillCheckoutView *self, const char *code)
{
  g_return_val_if_fail (TILL_IS_CHECKOUT_VIEW (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (self->member_coupons_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (g_strcmp0 (g_object_get_data (G_OBJECT (button), "code"), code) == 0)
        return button;
    }
  return NULL;
}
