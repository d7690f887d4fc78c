/* till-receipt.c: the customer receipt of a sale, as ESC/POS bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-receipt"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-receipt.h"

#define QR_HASH_DIGITS 16
/* How much of a provider's transaction id the receipt shows: enough for the
 * shop to find the payment in the provider's statement. */
#define TXN_TAIL_CHARS 8

static char *
setting_or_empty (TillStore *store, const char *key)
{
  char *value = till_store_get_setting (store, key);

  return value != NULL ? value : g_strdup ("");
}

/* "2 × 3.50" for counted goods, "0.456kg × 25.80/kg" for weighed goods. */
static char *
format_quantity_price (const TillSaleLine *line)
{
  g_autofree char *quantity = till_quantity_format (line->quantity);
  g_autofree char *price = till_money_format (line->unit_price);

  if (line->weighed)
    {
      const char *unit = line->unit != NULL && *line->unit != '\0' ? line->unit : "kg";

      return g_strdup_printf ("%s%s × %s/%s", quantity, unit, price, unit);
    }
  return g_strdup_printf ("%s × %s", quantity, price);
}

/* The same for a returned line. */
static char *
format_return_quantity_price (const TillReturnLine *line)
{
  g_autofree char *quantity = till_quantity_format (line->quantity);
  g_autofree char *price = till_money_format (line->unit_price);

  if (line->weighed)
    {
      const char *unit = line->unit != NULL && *line->unit != '\0' ? line->unit : "kg";

      return g_strdup_printf ("%s%s × %s/%s", quantity, unit, price, unit);
    }
  return g_strdup_printf ("%s × %s", quantity, price);
}

static void
money_row (TillEscpos *pos, const char *label, gint64 fen)
{
  g_autofree char *amount = till_money_format (fen);

  till_escpos_row (pos, label, amount);
}

/**
 * till_receipt_qr_payload:
 * The text of the receipt's QR code; see TILL_RECEIPT_QR_PREFIX for the format.
 */
char *
till_receipt_qr_payload (TillSale *sale)
{
  g_autoptr (GDateTime) created = NULL;
  g_autofree char *time = NULL;
  const char      *hash;
  const char      *till_id;

  g_return_val_if_fail (TILL_IS_SALE (sale), NULL);

  created = till_sale_get_created (sale);
  time = g_date_time_format (created, "%Y%m%d%H%M%S");
  hash = till_sale_get_journal_hash (sale);
  till_id = till_sale_get_till_id (sale);
  return g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT "|%s|%" G_GINT64_FORMAT "|%.*s",
                          TILL_RECEIPT_QR_PREFIX, till_id != NULL ? till_id : "",
                          till_sale_get_receipt_no (sale), time, till_sale_get_total (sale),
                          QR_HASH_DIGITS, hash != NULL ? hash : "");
}

static gboolean
parse_int64 (const char *text, gint64 *out_value)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out_value = (gint64) value;
  return TRUE;
}

/**
 * till_receipt_qr_parse:
 * Splits an OT1 payload into its fields, checking each one's form.
 */
gboolean
till_receipt_qr_parse (const char *payload,
                       char      **out_till_id,
                       gint64     *out_receipt_no,
                       char      **out_time,
                       gint64     *out_total,
                       char      **out_hash16)
{
  g_auto (GStrv) fields = NULL;
  gint64 receipt_no, total;

  g_return_val_if_fail (payload != NULL, FALSE);

  fields = g_strsplit (payload, "|", -1);
  if (g_strv_length (fields) != 6 || strcmp (fields[0], TILL_RECEIPT_QR_PREFIX) != 0)
    return FALSE;
  if (*fields[1] == '\0' || !parse_int64 (fields[2], &receipt_no) ||
      !parse_int64 (fields[4], &total))
    return FALSE;
  if (strlen (fields[3]) != 14 || strspn (fields[3], "0123456789") != 14)
    return FALSE;
  if (strlen (fields[5]) != QR_HASH_DIGITS ||
      strspn (fields[5], "0123456789abcdef") != QR_HASH_DIGITS)
    return FALSE;

  if (out_till_id != NULL)
    *out_till_id = g_strdup (fields[1]);
  if (out_receipt_no != NULL)
    *out_receipt_no = receipt_no;
  if (out_time != NULL)
    *out_time = g_strdup (fields[3]);
  if (out_total != NULL)
    *out_total = total;
  if (out_hash16 != NULL)
    *out_hash16 = g_strdup (fields[5]);
  return TRUE;
}

/* One row of money saved under a line, indented: "  第二件半价   -1.50". A
 * name too long for the room the amount leaves wraps onto a second line
 * (Chinese takes two columns a character), the amount beside the last; what
 * does not fit on two lines is cut. */
static void
saving_row (TillEscpos *pos, const char *name, gint64 saved)
{
  g_autofree char *amount = till_money_format (-saved);
  guint            room = till_escpos_get_columns (pos) - 2 - till_escpos_text_width (amount) - 1;
  g_auto (GStrv) parts = till_escpos_wrap (name, room);
  g_autofree char *last = NULL;

  if (g_strv_length (parts) >= 2)
    {
      g_autofree char *first = g_strconcat ("  ", parts[0], NULL);
      g_autofree char *rest = g_strjoinv ("", parts + 1);
      g_autofree char *rest_fit = till_escpos_truncate (rest, room);

      till_escpos_line (pos, first);
      last = g_strconcat ("  ", rest_fit, NULL);
    }
  else
    last = g_strconcat ("  ", parts[0], NULL);
  till_escpos_row (pos, last, amount);
}

/* Whether the sale's promotion @code applies to the whole sale (满减, a
 * coupon): those are told once in the totals, not under every line. */
static gboolean
promotion_is_whole_sale (TillSale *sale, const char *code)
{
  for (guint i = 0; i < till_sale_get_n_promotions (sale); i++)
    {
      const TillSalePromotion *promotion = till_sale_get_promotion (sale, i);

      if (g_strcmp0 (promotion->code, code) == 0)
        return promotion->whole_sale;
    }
  return FALSE;
}

/* Each whole-sale promotion with what it saved, in the totals. */
static void
whole_sale_rows (TillEscpos *pos, TillSale *sale)
{
  for (guint i = 0; i < till_sale_get_n_promotions (sale); i++)
    {
      const TillSalePromotion *promotion = till_sale_get_promotion (sale, i);
      g_autofree char         *amount = NULL;
      g_autofree char         *name = NULL;

      if (!promotion->whole_sale || promotion->saving <= 0)
        continue;
      amount = till_money_format (-promotion->saving);
      name = till_escpos_truncate (promotion->name, till_escpos_get_columns (pos) -
                                                        till_escpos_text_width (amount) - 1);
      till_escpos_row (pos, name, amount);
    }
}

/* 1000 → "10", 1250 → "12.5": a discount as the percentage people say. */
static char *
format_basis_points (int basis_points)
{
  char *text = g_strdup_printf ("%d.%02d", basis_points / 100, basis_points % 100);
  char *end = text + strlen (text) - 1;

  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  return text;
}

/* The mark a reprint carries at its top and bottom, so that nobody takes it for
 * a second sale: "*** COPY ***" in double size, and when it was reprinted. */
static void
copy_banner (TillEscpos *pos, GDateTime *reprinted)
{
  g_autofree char *banner = g_strdup_printf ("*** %s ***", _ ("COPY"));
  g_autofree char *time = g_date_time_format (reprinted, "%Y-%m-%d %H:%M:%S");

  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_wrapped (pos, banner);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_row (pos, _ ("Reprint"), time);
}

/* The store's name, address and phone, centred, as every slip starts. */
static void
store_header (TillEscpos *pos, TillStore *store)
{
  g_autofree char *name = setting_or_empty (store, "store.name");
  g_autofree char *address = setting_or_empty (store, "store.address");
  g_autofree char *phone = setting_or_empty (store, "store.phone");

  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_logo (pos);
  if (*name != '\0')
    {
      till_escpos_bold (pos, TRUE);
      till_escpos_size (pos, TRUE, TRUE);
      till_escpos_wrapped (pos, name);
      till_escpos_size (pos, FALSE, FALSE);
      till_escpos_bold (pos, FALSE);
    }
  if (*address != '\0')
    till_escpos_wrapped (pos, address);
  if (*phone != '\0')
    {
      g_autofree char *phone_line = g_strdup_printf (_ ("Tel: %s"), phone);

      till_escpos_wrapped (pos, phone_line);
    }
  till_escpos_align (pos, TILL_ALIGN_LEFT);
}

/* Prints indented detail @parts ("卡号 **** 1234", "参考号 123456") on one
 * line when they fit, else each on its own (wrapped) line. */
static void
detail_lines (TillEscpos *pos, const char *const *parts)
{
  g_autofree char *joined = NULL;
  g_autofree char *line = NULL;

  if (parts[0] == NULL)
    return;
  joined = g_strjoinv (" ", (GStrv) parts);
  line = g_strconcat ("  ", joined, NULL);
  if (till_escpos_text_width (line) <= till_escpos_get_columns (pos))
    {
      till_escpos_line (pos, line);
      return;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_strconcat ("  ", parts[i], NULL);

      till_escpos_wrapped (pos, part);
    }
}

/* The last few characters of a provider's transaction id, "…12345678". */
static char *
transaction_tail (const char *transaction_id)
{
  glong length = g_utf8_strlen (transaction_id, -1);

  if (length <= TXN_TAIL_CHARS)
    return g_strdup (transaction_id);
  return g_strconcat ("…", g_utf8_offset_to_pointer (transaction_id, length - TXN_TAIL_CHARS),
                      NULL);
}

/* The lines under a tender's row that let the customer and the shop find the
 * payment again: a wallet's transaction number, a bank card's tail and the
 * terminal's reference, a stored-value card (masked), a voucher's code. The
 * stored-value balance is printed apart (stored_value_balance_row). */
static void
tender_details (TillEscpos *pos, TillTenderKind kind, const char *reference, const char *account)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char      *parts[3] = { NULL, NULL, NULL };

  switch (kind)
    {
    case TILL_TENDER_KIND_WALLET:
      if (reference != NULL && *reference != '\0')
        {
          g_autofree char *tail = transaction_tail (reference);

          first = g_strdup_printf ("%s %s", _ ("Txn"), tail);
        }
      break;
    case TILL_TENDER_KIND_CARD:
      if (account != NULL && *account != '\0')
        first = g_strdup_printf ("%s %s", _ ("Card"), account);
      if (reference != NULL && *reference != '\0')
        second = g_strdup_printf ("%s %s", _ ("Ref"), reference);
      break;
    case TILL_TENDER_KIND_STORED_VALUE:
      if (account != NULL && *account != '\0')
        first = g_strdup_printf ("%s %s", _ ("Card"), account);
      break;
    case TILL_TENDER_KIND_VOUCHER:
      if (reference != NULL && *reference != '\0')
        first = g_strdup_printf ("%s %s", _ ("Voucher no."), reference);
      break;
    case TILL_TENDER_KIND_CASH:
    case TILL_TENDER_KIND_EXCHANGE:
    default:
      break;
    }
  /* Compact the parts so that a missing first one does not end the list. */
  if (first != NULL)
    parts[0] = first;
  if (second != NULL)
    parts[first != NULL ? 1 : 0] = second;
  detail_lines (pos, parts);
}

/* The card's balance right after this sale's debit. It is read from the
 * card's ledger up to that debit (till_stored_value_balance_after_sale),
 * not from today's balance: a reprint weeks later shows the same figure as
 * the first print. A balance that cannot be read is left out: the receipt
 * still prints. */
static void
stored_value_balance_row (TillEscpos *pos, TillStore *store, TillSale *sale, const char *card_no)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *balance_text = NULL;
  g_autofree char *label = NULL;
  gint64           balance;

  if (card_no == NULL || *card_no == '\0')
    return;
  balance =
      till_stored_value_balance_after_sale (store, card_no, till_sale_get_uuid (sale), &error);
  if (balance < 0)
    {
      g_debug ("No stored-value balance on the receipt: %s", error->message);
      return;
    }
  balance_text = till_money_format_yuan (balance);
  label = g_strdup_printf ("  %s", _ ("Card balance"));
  till_escpos_row (pos, label, balance_text);
}

/* The member block: who (masked phone only), the points this sale earned
 * and the balance after it, as recorded with the sale. */
static void
member_rows (TillEscpos *pos, TillSale *sale)
{
  const char      *masked = till_sale_get_member_masked (sale);
  g_autofree char *earned = NULL;
  g_autofree char *balance = NULL;

  if (till_sale_get_member_id (sale) == NULL)
    return;
  earned = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_points_earned (sale));
  balance = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_points_balance (sale));
  till_escpos_separator (pos, '-');
  till_escpos_row (pos, _ ("Member"), masked != NULL ? masked : "");
  till_escpos_row (pos, _ ("Points earned"), earned);
  till_escpos_row (pos, _ ("Points balance"), balance);
}

/* Every tender that paid the total besides cash, in the order applied, each
 * on its row with its details (a voucher's face value when more than it
 * paid: the rest was forfeited; a stored-value card's balance after the
 * sale), then the cash handed over and the change when cash was part of
 * it: a plain cash sale prints only those two. */
static void
payment_rows (TillEscpos *pos, TillStore *store, TillSale *sale)
{
  gint64   cash_tendered = 0;
  gint64   change = 0;
  gboolean paid_cash = FALSE;

  for (guint i = 0; i < till_sale_get_n_payments (sale); i++)
    {
      const TillSalePayment *payment = till_sale_get_payment (sale, i);

      /* By the id, not the kind: sales recorded before tenders had kinds are
       * all "cash" by kind. */
      if (g_strcmp0 (payment->method, "cash") == 0)
        {
          paid_cash = TRUE;
          cash_tendered += payment->tendered;
          change += payment->change;
          continue;
        }
      money_row (pos, till_receipt_refund_method_label (payment->method), payment->amount);
      tender_details (pos, payment->kind, payment->reference, payment->account);
      if (payment->kind == TILL_TENDER_KIND_STORED_VALUE)
        stored_value_balance_row (pos, store, sale, payment->reference);
      if (payment->kind == TILL_TENDER_KIND_VOUCHER && payment->tendered > payment->amount)
        {
          g_autofree char *face_value = till_money_format_yuan (payment->tendered);
          g_autofree char *label = g_strdup_printf ("  %s", _ ("Face value"));

          till_escpos_row (pos, label, face_value);
        }
    }
  if (paid_cash)
    {
      money_row (pos, _ ("Cash"), cash_tendered);
      money_row (pos, _ ("Change"), change);
    }
}

static GBytes *
encode (TillSale *sale, TillStore *store, const TillPrinterProfile *profile, GDateTime *reprinted)
{
  g_autoptr (TillEscpos) pos = NULL;
  g_autofree char *footer = NULL;
  g_autofree char *receipt_no = NULL;
  g_autofree char *time = NULL;
  g_autofree char *cashier = NULL;
  g_autofree char *count = NULL;
  g_autofree char *total = NULL;
  g_autofree char *qr = NULL;
  g_autoptr (GDateTime) created = NULL;
  TillPrinterProfile default_profile;
  gint64             line_discounts = 0;
  gint64             line_promotions = 0;
  gint64             promotion_saving = 0;
  gint64             sale_discount = 0;

  if (profile == NULL)
    {
      till_printer_profile_init (&default_profile, TILL_PAPER_80MM);
      profile = &default_profile;
    }

  footer = setting_or_empty (store, "receipt.footer");
  pos = till_escpos_new (profile);

  /* Header: the store, centred. */
  till_escpos_initialize (pos);
  if (reprinted != NULL)
    {
      copy_banner (pos, reprinted);
      till_escpos_separator (pos, '=');
    }
  store_header (pos, store);
  till_escpos_separator (pos, '-');

  /* Which sale, when, who. */
  receipt_no = till_sale_format_receipt_no (sale);
  created = till_sale_get_created (sale);
  time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  cashier = g_strdup_printf ("%s (%s)", till_sale_get_cashier_name (sale),
                             till_sale_get_cashier_code (sale));
  till_escpos_row (pos, _ ("Receipt"), receipt_no);
  till_escpos_row (pos, _ ("Date"), time);
  till_escpos_row (pos, _ ("Cashier"), cashier);
  till_escpos_separator (pos, '-');

  /* The lines: the name on its own line(s), then quantity × price and what it
   * comes to; a changed price, a line discount and each promotion's share
   * each on a row of their own, so that the customer can check every figure.
   * A gift (赠品) says so, at 0.00. */
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (sale, i);
      g_autofree char    *quantity_price = format_quantity_price (line);
      g_autofree char    *indented = NULL;
      gint64              gross =
          line->amount + line->line_discount + line->promotion_discount + line->sale_discount;

      if (line->gift_code != NULL)
        indented = g_strdup_printf ("  %s %s", _ ("Gift"), quantity_price);
      else
        indented = g_strconcat ("  ", quantity_price, NULL);
      till_escpos_wrapped (pos, line->name);
      money_row (pos, indented, gross);
      if (line->original_price >= 0 && line->original_price != line->unit_price)
        {
          g_autofree char *was_price = till_money_format (line->original_price);
          g_autofree char *was = g_strdup_printf (_ ("  Was %s"), was_price);

          till_escpos_row (pos, was, "");
        }
      if (line->line_discount > 0)
        {
          g_autofree char *percent = format_basis_points (line->discount_bp);
          g_autofree char *label = g_strdup_printf (_ ("  Discount %s%%"), percent);

          money_row (pos, label, -line->line_discount);
        }
      for (guint j = 0; line->promotions != NULL && j < line->promotions->len; j++)
        {
          const TillPricingShare *share = &g_array_index (line->promotions, TillPricingShare, j);

          if (promotion_is_whole_sale (sale, share->code))
            continue;
          saving_row (pos, share->name, share->amount);
          line_promotions += share->amount;
        }
      line_discounts += line->line_discount;
      promotion_saving += line->promotion_discount;
      sale_discount += line->sale_discount;
    }
  till_escpos_separator (pos, '-');

  /* Totals: the subtotal before promotions and the whole-sale discount, then
   * what the promotions saved and that discount; 抹零 only when it changed
   * the amount. */
  count = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_item_count (sale));
  till_escpos_row (pos, _ ("Items"), count);
  money_row (pos, _ ("Subtotal"), till_sale_get_subtotal (sale) + promotion_saving + sale_discount);
  if (line_promotions > 0)
    money_row (pos, _ ("Item promotions"), -line_promotions);
  whole_sale_rows (pos, sale);
  if (sale_discount > 0)
    money_row (pos, _ ("Sale discount"), -sale_discount);
  if (till_sale_get_rounding (sale) != 0)
    money_row (pos, _ ("Rounding"), till_sale_get_rounding (sale));
  total = till_money_format_yuan (till_sale_get_total (sale));
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_row (pos, _ ("Total"), total);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  payment_rows (pos, store, sale);
  /* What the customer saved in all, the line they look for: promotions,
   * line and sale discounts (not 抹零, which is the shop's rounding). */
  if (promotion_saving + line_discounts + sale_discount > 0)
    {
      g_autofree char *saved_amount =
          till_money_format_yuan (promotion_saving + line_discounts + sale_discount);
      g_autofree char *saved = g_strdup_printf (_ ("You saved %s"), saved_amount);

      till_escpos_bold (pos, TRUE);
      till_escpos_wrapped (pos, saved);
      till_escpos_bold (pos, FALSE);
    }
  member_rows (pos, sale);
  till_escpos_separator (pos, '-');

  /* The QR code HQ verifies, and the store's goodbye. */
  qr = till_receipt_qr_payload (sale);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_feed (pos, 1);
  till_escpos_qr (pos, qr);
  till_escpos_feed (pos, 1);
  if (*footer != '\0')
    till_escpos_wrapped (pos, footer);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  if (reprinted != NULL)
    {
      till_escpos_separator (pos, '=');
      copy_banner (pos, reprinted);
    }
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);

  return till_escpos_finish (pos);
}

/**
 * till_receipt_encode:
 * Store header, sale lines, totals, any exchange credit, cash and change, QR
 * code, footer, cut. Text the printer cannot print is substituted by the
 * encoder; long names wrap; no line is wider than the profile's paper. A NULL
 * @profile means an 80 mm printer with the usual settings
 * (till_printer_profile_init()).
 */
GBytes *
till_receipt_encode (TillSale *sale, TillStore *store, const TillPrinterProfile *profile)
{
  g_return_val_if_fail (TILL_IS_SALE (sale), NULL);
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  return encode (sale, store, profile, NULL);
}

/**
 * till_receipt_encode_copy:
 * @reprinted: when the copy is made (local time)
 *
 * The same receipt as till_receipt_encode() (the sale's own time, lines, totals
 * and QR code), marked "COPY" with the reprint time at its top and bottom.
 */
GBytes *
till_receipt_encode_copy (TillSale                 *sale,
                          TillStore                *store,
                          const TillPrinterProfile *profile,
                          GDateTime                *reprinted)
{
  g_return_val_if_fail (TILL_IS_SALE (sale), NULL);
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (reprinted != NULL, NULL);

  return encode (sale, store, profile, reprinted);
}

const char *
till_receipt_refund_method_label (const char *method)
{
  static const struct
  {
    const char *method;
    const char *label;
  } labels[] = {
    { "cash", N_ ("Cash") },
    { "exchange", N_ ("Exchange credit") },
    { "card", N_ ("Bank card") },
    { "wechat", N_ ("WeChat Pay") },
    { "alipay", N_ ("Alipay") },
    { "unionpay", N_ ("UnionPay") },
    { "stored-value", N_ ("Stored value") },
    { "voucher", N_ ("Voucher") },
    { "points", N_ ("Points") },
  };

  g_return_val_if_fail (method != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (method, labels[i].method))
      return _ (labels[i].label);
  return method;
}

/* The provider's transaction id of the sale's wallet payment @out_trade_no,
 * which a wallet refund references. */
static const char *
wallet_transaction_id (TillSale *sale, const char *out_trade_no)
{
  for (guint i = 0; sale != NULL && out_trade_no != NULL && i < till_sale_get_n_payments (sale);
       i++)
    {
      const TillSalePayment *payment = till_sale_get_payment (sale, i);

      if (g_strcmp0 (payment->attempt, out_trade_no) == 0)
        return payment->reference;
    }
  return NULL;
}

/* One refund tender on the slip: its row, its details as on the receipt, and
 * what the customer must know about where the money is: a wallet refund
 * still with the provider, a card refund the cashier makes on the card
 * terminal, a voucher's share that is not paid out. */
static void
refund_rows (TillEscpos *pos, TillSale *sale, const TillRefund *refund)
{
  const char *note = NULL;

  money_row (pos, till_receipt_refund_method_label (refund->method), refund->amount);
  switch (refund->kind)
    {
    case TILL_TENDER_KIND_WALLET:
      tender_details (pos, refund->kind, wallet_transaction_id (sale, refund->reference),
                      refund->account);
      if (refund->state == TILL_REFUND_STATE_PENDING)
        note = _ ("Refund in progress");
      else if (refund->state == TILL_REFUND_STATE_FAILED)
        note = _ ("Refund failed: settle in cash");
      break;
    case TILL_TENDER_KIND_CARD:
      tender_details (pos, refund->kind, refund->reference, refund->account);
      note = _ ("Refund on the card terminal");
      break;
    case TILL_TENDER_KIND_STORED_VALUE:
    case TILL_TENDER_KIND_VOUCHER:
      tender_details (pos, refund->kind, refund->reference, refund->account);
      if (refund->kind == TILL_TENDER_KIND_VOUCHER)
        note = _ ("Not refundable in cash");
      break;
    case TILL_TENDER_KIND_CASH:
    case TILL_TENDER_KIND_EXCHANGE:
    default:
      break;
    }
  if (note != NULL)
    {
      g_autofree char *line = g_strconcat ("  ", note, NULL);

      till_escpos_wrapped (pos, line);
    }
}

/* Under a returned line, the discounts it was sold with, as much of them as
 * goes with the quantity returned: the refund is what was paid, so the
 * customer sees why it is less than quantity × price. A promotion's row
 * carries its name when the sold line had one promotion. */
static void
refund_discount_rows (TillEscpos *pos, TillSale *sale, const TillReturnLine *line)
{
  const char *promotion_name = _ ("Promotion savings");

  if (line->line_discount > 0)
    money_row (pos, _ ("  Discount"), -line->line_discount);
  if (line->promotion_discount > 0)
    {
      if (sale != NULL && line->sale_line_no > 0)
        for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
          {
            const TillSaleLine *sold = till_sale_get_line (sale, i);

            if (sold->line_no == line->sale_line_no && sold->promotions != NULL &&
                sold->promotions->len == 1)
              promotion_name = g_array_index (sold->promotions, TillPricingShare, 0).name;
          }
      saving_row (pos, promotion_name, line->promotion_discount);
    }
  if (line->sale_discount > 0)
    money_row (pos, _ ("  Sale discount"), -line->sale_discount);
}

/**
 * till_receipt_encode_refund:
 * @ret: a committed return
 *
 * The slip the customer signs for the money (or credit) they got back. It
 * names the original receipt so that the two papers can be matched, and the
 * supervisor who approved, so that an approved refund can be traced.
 *
 * Returns: (transfer full): the ESC/POS bytes
 */
GBytes *
till_receipt_encode_refund (TillReturn *ret, TillStore *store, const TillPrinterProfile *profile)
{
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GDateTime) created = NULL;
  g_autofree char   *return_no = NULL;
  g_autofree char   *receipt_no = NULL;
  g_autofree char   *time = NULL;
  g_autofree char   *cashier = NULL;
  g_autofree char   *title = NULL;
  g_autofree char   *count = NULL;
  g_autofree char   *total = NULL;
  TillPrinterProfile default_profile;
  TillSale          *sale;
  const char        *approver;
  gint64             items = 0;
  gboolean           voucher_share = FALSE;

  g_return_val_if_fail (TILL_IS_RETURN (ret), NULL);
  g_return_val_if_fail (till_return_is_committed (ret), NULL);
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  if (profile == NULL)
    {
      till_printer_profile_init (&default_profile, TILL_PAPER_80MM);
      profile = &default_profile;
    }
  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  store_header (pos, store);

  /* What this paper is, big: nobody takes it for a receipt. */
  title = g_strdup_printf ("*** %s ***", _ ("REFUND"));
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_wrapped (pos, title);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');

  /* Which return, of which sale, when, who. */
  return_no = till_return_format_return_no (ret);
  sale = till_return_get_sale (ret);
  receipt_no = sale != NULL ? till_sale_format_receipt_no (sale) : g_strdup (_ ("Without receipt"));
  created = till_return_get_created (ret);
  time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  cashier = g_strdup_printf ("%s (%s)", till_return_get_cashier_name (ret),
                             till_return_get_cashier_code (ret));
  approver = till_return_get_approver_code (ret);
  till_escpos_row (pos, _ ("Return"), return_no);
  till_escpos_row (pos, _ ("Original receipt"), receipt_no);
  till_escpos_row (pos, _ ("Date"), time);
  till_escpos_row (pos, _ ("Cashier"), cashier);
  if (approver != NULL && *approver != '\0')
    till_escpos_row (pos, _ ("Approved by"), approver);
  till_escpos_separator (pos, '-');

  /* The returned lines: name, then quantity × price and what is refunded. */
  for (guint i = 0; i < till_return_get_n_lines (ret); i++)
    {
      const TillReturnLine *line = till_return_get_line (ret, i);
      g_autofree char      *quantity_price = format_return_quantity_price (line);
      g_autofree char      *indented = g_strconcat ("  ", quantity_price, NULL);

      till_escpos_wrapped (pos, line->name);
      money_row (pos, indented,
                 line->amount + line->line_discount + line->promotion_discount +
                     line->sale_discount);
      refund_discount_rows (pos, sale, line);
      /* Weighed goods count as one item, as on the receipt. */
      items += line->weighed ? 1 : line->quantity / TILL_QUANTITY_ONE;
    }
  till_escpos_separator (pos, '-');

  count = g_strdup_printf ("%" G_GINT64_FORMAT, items);
  till_escpos_row (pos, _ ("Items"), count);
  money_row (pos, _ ("Subtotal"), till_return_get_subtotal (ret));
  if (till_return_get_rounding (ret) != 0)
    money_row (pos, _ ("Rounding"), till_return_get_rounding (ret));
  total = till_money_format_yuan (till_return_get_refund_total (ret));
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_row (pos, _ ("Refund"), total);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  for (guint i = 0; i < till_return_get_n_refunds (ret); i++)
    {
      const TillRefund *refund = till_return_get_refund (ret, i);

      refund_rows (pos, sale, refund);
      voucher_share = voucher_share || refund->kind == TILL_TENDER_KIND_VOUCHER;
    }
  /* A voucher's share is on the slip but not in the customer's hand: say
   * what the customer does get back. */
  if (voucher_share)
    money_row (pos, _ ("Refunded in money"), till_return_get_money_refund (ret));
  till_escpos_row (pos, _ ("Reason"), till_return_reason_get_label (till_return_get_reason (ret)));
  till_escpos_separator (pos, '-');

  /* The customer signs for the money; the store keeps this paper. */
  till_escpos_feed (pos, 2);
  till_escpos_line (pos, _ ("Customer signature:"));
  till_escpos_feed (pos, 2);
  till_escpos_separator (pos, '_');
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

/**
 * till_receipt_encode_top_up:
 * @top_up_uuid: a recorded top-up (till_stored_value_top_up)
 *
 * The top-up slip (储值充值凭条), from ESC @ to the cut: the store, the
 * title, the member (masked phone) and card (masked), the amount paid, the
 * bonus, the card's balance after the top-up (as recorded in its journal
 * entry, so a reprint prints the same), how it was paid, the cashier, the
 * time and a line for the customer's signature. NULL @profile: 80 mm.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set when the
 *   top-up cannot be read
 */
GBytes *
till_receipt_encode_top_up (TillStore                *store,
                            const char               *top_up_uuid,
                            const TillPrinterProfile *profile,
                            GError                  **error)
{
  g_autoptr (TillStoredValueTopUp) top_up = NULL;
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GDateTime) created = NULL;
  g_autofree char   *card = NULL;
  g_autofree char   *time = NULL;
  g_autofree char   *cashier = NULL;
  g_autofree char   *balance = NULL;
  g_autofree char   *title = NULL;
  g_autofree char   *footer = NULL;
  TillPrinterProfile default_profile;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (top_up_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  top_up = till_stored_value_get_top_up (store, top_up_uuid, error);
  if (top_up == NULL)
    return NULL;
  if (profile == NULL)
    {
      till_printer_profile_init (&default_profile, TILL_PAPER_80MM);
      profile = &default_profile;
    }

  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  store_header (pos, store);
  till_escpos_separator (pos, '-');

  title = g_strdup (_ ("STORED-VALUE TOP-UP"));
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_wrapped (pos, title);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');

  created = g_date_time_new_from_unix_local (top_up->created_us / G_USEC_PER_SEC);
  time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  cashier = *top_up->cashier_name != '\0'
                ? g_strdup_printf ("%s (%s)", top_up->cashier_name, top_up->cashier_code)
                : g_strdup (top_up->cashier_code);
  card = till_stored_value_mask_card (top_up->card_no);
  if (*top_up->member_masked != '\0')
    till_escpos_row (pos, _ ("Member"), top_up->member_masked);
  till_escpos_row (pos, _ ("Card"), card);
  till_escpos_row (pos, _ ("Date"), time);
  till_escpos_row (pos, _ ("Cashier"), cashier);
  till_escpos_separator (pos, '-');

  money_row (pos, _ ("Top-up"), top_up->amount);
  if (top_up->bonus > 0)
    money_row (pos, _ ("Bonus"), top_up->bonus);
  till_escpos_row (pos, _ ("Paid by"), till_receipt_refund_method_label (top_up->method));
  balance = till_money_format_yuan (top_up->balance_after);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_row (pos, _ ("Balance"), balance);
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_separator (pos, '-');

  /* The store keeps the slip the customer signed. */
  till_escpos_feed (pos, 2);
  till_escpos_row (pos, _ ("Customer signature"), "");
  till_escpos_feed (pos, 1);
  till_escpos_separator (pos, '_');
  footer = setting_or_empty (store, "receipt.footer");
  if (*footer != '\0')
    {
      till_escpos_align (pos, TILL_ALIGN_CENTER);
      till_escpos_wrapped (pos, footer);
      till_escpos_align (pos, TILL_ALIGN_LEFT);
    }
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

GBytes *
till_receipt_encode_drawer_kick (const TillPrinterProfile *profile)
{
  g_autoptr (TillEscpos) pos = NULL;

  g_return_val_if_fail (profile != NULL, NULL);

  pos = till_escpos_new (profile);
  till_escpos_drawer_kick (pos);
  return till_escpos_finish (pos);
}

/**
 * till_receipt_encode_test_page:
 * @printer_uri: the printer's URI; its query names the profile
 *
 * A page store IT prints to check a printer: Chinese text in the profile's
 * encoding, a two-column row, the URI and the time, a QR code of the URI, a
 * cut. It is in Chinese whatever the screen's language: it is the shop's paper.
 *
 * Returns: (transfer full): the ESC/POS bytes, or %NULL with @error set when
 *   the URI names a profile that does not exist
 */
GBytes *
till_receipt_encode_test_page (const char *printer_uri, GError **error)
{
  g_autoptr (TillPrinterProfile) profile = NULL;
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_return_val_if_fail (printer_uri != NULL, NULL);

  profile = till_printer_profile_new_from_uri (printer_uri, error);
  if (profile == NULL)
    return NULL;
  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_line (pos, "打印测试");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_line (pos, "opentill 收银台");
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');
  till_escpos_wrapped (pos, "中文打印正常：简体汉字、全角符号（￥１２３）和数字 0123456789。");
  till_escpos_row (pos, "农夫山泉 550ml", "2.00");
  till_escpos_row (pos, "合计", "￥2.00");
  till_escpos_wrapped (pos, printer_uri);
  till_escpos_line (pos, when);
  till_escpos_separator (pos, '-');
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_qr (pos, printer_uri);
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}
