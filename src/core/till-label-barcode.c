/* till-label-barcode.c: barcodes printed by label scales (大华/顶尖 style)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-label-barcode"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-barcode.h"
#include "till-label-barcode.h"
#include "till-store.h"

/* Longest code a template may describe: the 18-digit labels plus room for a
 * store's own variant. */
#define MAX_LENGTH 24

struct _TillLabelTemplate
{
  char *text;   /* as written, options included */
  char *prefix; /* the literal digits it starts with */
  guint length; /* digits in a code */

  /* Start and length of each field; a length of 0 means absent. */
  guint    plu_start, plu_len;
  guint    amount_start, amount_len;
  guint    quantity_start, quantity_len;
  int      verifier_pos; /* -1: none */
  gboolean has_check;    /* an EAN check digit in the last position */

  int amount_decimals;   /* of a yuan */
  int quantity_decimals; /* of a kg (or of a piece) */
};

G_DEFINE_QUARK (till_label_barcode_error_quark, till_label_barcode_error)

/* The defaults, for the common 2-digit prefix 20–29 configurations of DEVICES.md §3:
 * - 20 and 21, 13 digits, PLU 5, amount 5 with 2 decimals, check: "21 weighed /
 *   20 counted; XXXXX = amount" [S19a], the POS setting "13,21,5,5,2" [S19b].
 * - 22, 13 digits, PLU 5, weight 5 with 3 decimals, check: Dahua's FFWWWWWNNNNNC
 *   [S18b]. The prefix 22 is our choice: no source names one for it.
 * - 20 to 29, 18 digits, PLU 5, amount 5 (2 decimals), weight 5 (3 decimals),
 *   check over the 17 digits: "26 XXXXX MMMMM WWWWW C" [S19d], Dahua's
 *   FFWWWWWEEEEENNNNNC [S18b]. Eighteen digits are no EAN, so every prefix is
 *   safe to claim.
 * The 7-digit-item weight layout "2CCCCCC WWWWW C" [S19c] claims every code that
 * starts with 2, so it is not a default; a store adds "2WWWWWWNNNNNC" itself. */
const char *const till_label_barcode_default_templates =
    "20WWWWWEEEEEC 21WWWWWEEEEEC 22WWWWWNNNNNC "
    "20WWWWWEEEEENNNNNC 21WWWWWEEEEENNNNNC 22WWWWWEEEEENNNNNC 23WWWWWEEEEENNNNNC "
    "24WWWWWEEEEENNNNNC 25WWWWWEEEEENNNNNC 26WWWWWEEEEENNNNNC 27WWWWWEEEEENNNNNC "
    "28WWWWWEEEEENNNNNC 29WWWWWEEEEENNNNNC";

/* GS1 price verifier tables ([S37]): the weighted value of each digit. */
static const int weight_2_minus[10] = { 0, 2, 4, 6, 8, 9, 1, 3, 5, 7 };
static const int weight_3[10] = { 0, 3, 6, 9, 2, 5, 8, 1, 4, 7 };
static const int weight_5_plus[10] = { 0, 5, 1, 6, 2, 7, 3, 8, 4, 9 };
static const int weight_5_minus[10] = { 0, 5, 9, 4, 8, 3, 7, 2, 6, 1 };

static gboolean
template_error (GError **error, const char *text, const char *why)
{
  g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_TEMPLATE,
               _ ("The label barcode template “%s” cannot be used: %s"), text, why);
  return FALSE;
}

/* Records one run of @letter in @layout; FALSE if the letter appears in two runs. */
static gboolean
find_run (const char *layout, char letter, guint *out_start, guint *out_len)
{
  const char *first = strchr (layout, letter);
  const char *end;

  *out_start = 0;
  *out_len = 0;
  if (first == NULL)
    return TRUE;
  end = first;
  while (*end == letter)
    end++;
  if (strchr (end, letter) != NULL)
    return FALSE;
  *out_start = (guint) (first - layout);
  *out_len = (guint) (end - first);
  return TRUE;
}

static gboolean
parse_option (TillLabelTemplate *self, const char *option, GError **error)
{
  int *target;
  int  max;

  if (g_ascii_tolower (option[0]) == 'e')
    target = &self->amount_decimals, max = 2;
  else if (g_ascii_tolower (option[0]) == 'n')
    target = &self->quantity_decimals, max = 3;
  else
    return template_error (error, self->text, _ ("unknown option (use e=DECIMALS or n=DECIMALS)"));
  if (option[1] != '=' || !g_ascii_isdigit (option[2]) || option[3] != '\0' ||
      option[2] - '0' > max)
    return template_error (error, self->text,
                           _ ("decimals must be e=0 to e=2 for the amount, n=0 to n=3 for the "
                              "weight"));
  *target = option[2] - '0';
  return TRUE;
}

/* The value of a run of digits of @code. */
static gint64
field_value (const char *code, guint start, guint len)
{
  gint64 value = 0;

  for (guint i = 0; i < len; i++)
    value = value * 10 + (code[start + i] - '0');
  return value;
}

static gint64
power_of_ten (int exponent)
{
  gint64 value = 1;

  while (exponent-- > 0)
    value *= 10;
  return value;
}

/* Writes @value into the @len digits at @start of @code; FALSE if it is too wide. */
static gboolean
put_field (char *code, guint start, guint len, gint64 value)
{
  for (guint i = len; i > 0; i--)
    {
      code[start + i - 1] = (char) ('0' + value % 10);
      value /= 10;
    }
  return value == 0;
}

/**
 * till_label_barcode_price_check_digit:
 * @digits: the 4 or 5 digits of a price or weight field
 * @n_digits: 4 or 5
 *
 * The GS1 price verifier digit: 5-digit fields weight their digits 5+, 2−, 5−,
 * 5+, 2− and map the tens complement of the sum back through 5−; 4-digit fields
 * weight 2−, 2−, 3, 5− and take sum × 3 mod 10 ([S37] EAN.swift).
 *
 * Returns: the digit, or -1 when @digits is not 4 or 5 digits
 */
int
till_label_barcode_price_check_digit (const char *digits, gsize n_digits)
{
  int sum = 0;

  g_return_val_if_fail (digits != NULL, -1);

  for (gsize i = 0; i < n_digits; i++)
    if (!g_ascii_isdigit (digits[i]))
      return -1;
  if (n_digits == 5)
    {
      const int *weights[5] = { weight_5_plus, weight_2_minus, weight_5_minus, weight_5_plus,
                                weight_2_minus };
      int        complement;

      for (gsize i = 0; i < 5; i++)
        sum += weights[i][digits[i] - '0'];
      complement = (10 - sum % 10) % 10;
      for (int d = 0; d < 10; d++)
        if (weight_5_minus[d] == complement)
          return d;
      g_assert_not_reached ();
    }
  if (n_digits == 4)
    {
      const int *weights[4] = { weight_2_minus, weight_2_minus, weight_3, weight_5_minus };

      for (gsize i = 0; i < 4; i++)
        sum += weights[i][digits[i] - '0'];
      return sum * 3 % 10;
    }
  return -1;
}

/**
 * till_label_template_parse:
 * @text: a template such as "21WWWWWEEEEEC" or "2WWWWWWNNNNNC,n=3"
 *
 * Returns: (transfer full): the template, or %NULL with
 *   %TILL_LABEL_BARCODE_ERROR_TEMPLATE saying what is wrong
 */
TillLabelTemplate *
till_label_template_parse (const char *text, GError **error)
{
  g_autoptr (TillLabelTemplate) self = NULL;
  g_auto (GStrv) parts = NULL;
  const char *layout;
  gsize       n_prefix = 0;
  guint       check_start, check_len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (TillLabelTemplate, 1);
  self->text = g_strstrip (g_strdup (text));
  self->verifier_pos = -1;
  self->amount_decimals = 2;
  self->quantity_decimals = 3;

  parts = g_strsplit (self->text, ",", -1);
  layout = parts[0];
  for (guint i = 1; parts[i] != NULL; i++)
    if (!parse_option (self, g_strstrip (parts[i]), error))
      return NULL;

  self->length = (guint) strlen (layout);
  if (self->length < 8 || self->length > MAX_LENGTH)
    {
      template_error (error, self->text, _ ("a label code has 8 to 24 digits"));
      return NULL;
    }
  while (g_ascii_isdigit (layout[n_prefix]))
    n_prefix++;
  if (n_prefix == 0)
    {
      template_error (error, self->text, _ ("it must start with the prefix digits, as 21"));
      return NULL;
    }
  self->prefix = g_strndup (layout, n_prefix);
  for (const char *c = layout + n_prefix; *c != '\0'; c++)
    if (strchr ("WENVCOX", *c) == NULL)
      {
        template_error (error, self->text,
                        _ ("only the prefix digits and the letters W, E, N, V, C, O and X may "
                           "appear"));
        return NULL;
      }
  if (!find_run (layout, 'W', &self->plu_start, &self->plu_len) ||
      !find_run (layout, 'E', &self->amount_start, &self->amount_len) ||
      !find_run (layout, 'N', &self->quantity_start, &self->quantity_len))
    {
      template_error (error, self->text, _ ("each of W, E and N must be one run of digits"));
      return NULL;
    }
  if (self->plu_len == 0 || (self->amount_len == 0 && self->quantity_len == 0))
    {
      template_error (error, self->text,
                      _ ("it needs the item code W and an amount E or weight N"));
      return NULL;
    }
  if (self->amount_len > 9 || self->quantity_len > 9)
    {
      template_error (error, self->text, _ ("an amount or weight has at most 9 digits"));
      return NULL;
    }
  if (!find_run (layout, 'C', &check_start, &check_len) || check_len > 1 ||
      (check_len == 1 && check_start != self->length - 1))
    {
      template_error (error, self->text, _ ("the check digit C can only be the last digit"));
      return NULL;
    }
  self->has_check = check_len == 1;
  {
    guint vstart, vlen;

    if (!find_run (layout, 'V', &vstart, &vlen) || vlen > 1)
      {
        template_error (error, self->text, _ ("there can be one price verifier digit V"));
        return NULL;
      }
    if (vlen == 1)
      {
        if ((self->amount_len != 4 && self->amount_len != 5) || vstart > self->amount_start)
          {
            template_error (error, self->text,
                            _ ("the price verifier V needs a 4- or 5-digit amount E after it"));
            return NULL;
          }
        self->verifier_pos = (int) vstart;
      }
  }
  return g_steal_pointer (&self);
}

void
till_label_template_free (TillLabelTemplate *self)
{
  if (self == NULL)
    return;
  g_free (self->text);
  g_free (self->prefix);
  g_free (self);
}

const char *
till_label_template_get_text (const TillLabelTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text;
}

/* Returns: the number of digits of the codes @self reads */
guint
till_label_template_get_length (const TillLabelTemplate *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->length;
}

const char *
till_label_template_get_prefix (const TillLabelTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->prefix;
}

/**
 * till_label_template_matches:
 *
 * Returns: whether @code is all digits, of @self's length and prefix
 */
gboolean
till_label_template_matches (const TillLabelTemplate *self, const char *code)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  if (strlen (code) != self->length || !g_str_has_prefix (code, self->prefix))
    return FALSE;
  for (const char *c = code; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

/**
 * till_label_templates_parse:
 * @text: templates separated by ';' or white space
 *
 * Returns: (transfer full) (element-type TillLabelTemplate): the templates in
 *   the order given (the first that fits a code reads it), or %NULL with an error
 */
GPtrArray *
till_label_templates_parse (const char *text, GError **error)
{
  g_autoptr (GPtrArray) templates = NULL;
  g_auto (GStrv) words = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  templates = g_ptr_array_new_with_free_func ((GDestroyNotify) till_label_template_free);
  words = g_strsplit_set (text, "; \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      TillLabelTemplate *template;

      if (words[i][0] == '\0')
        continue;
      template = till_label_template_parse (words[i], error);
      if (template == NULL)
        return NULL;
      g_ptr_array_add (templates, template);
    }
  if (templates->len == 0)
    {
      g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_TEMPLATE,
                   _ ("No label barcode template is given"));
      return NULL;
    }
  return g_steal_pointer (&templates);
}

/**
 * till_label_templates_for_store:
 *
 * Returns: (transfer full): the templates of the store setting
 *   "label-barcode.templates", or the defaults when it is unset or empty
 */
GPtrArray *
till_label_templates_for_store (TillStore *store, GError **error)
{
  g_autofree char *setting = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  setting = till_store_get_setting (store, TILL_LABEL_BARCODE_SETTING);
  if (setting == NULL || *g_strstrip (setting) == '\0')
    return till_label_templates_parse (till_label_barcode_default_templates, error);
  return till_label_templates_parse (setting, error);
}

gboolean
till_label_templates_match_any (GPtrArray *templates, const char *code)
{
  g_return_val_if_fail (templates != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  for (guint i = 0; i < templates->len; i++)
    if (till_label_template_matches (g_ptr_array_index (templates, i), code))
      return TRUE;
  return FALSE;
}

/**
 * till_label_barcode_parse:
 * @templates: (element-type TillLabelTemplate): the store's templates
 * @code: the scanned code
 *
 * Returns: (transfer full): what the label says, or %NULL with an error:
 *   %TILL_LABEL_BARCODE_ERROR_NO_MATCH when no template has the code's length
 *   and prefix, BAD_CHECK or PRICE_CHECK when a check digit is wrong
 */
TillLabelBarcode *
till_label_barcode_parse (GPtrArray *templates, const char *code, GError **error)
{
  const TillLabelTemplate *template = NULL;
  TillLabelBarcode *label;

  g_return_val_if_fail (templates != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < templates->len && template == NULL; i++)
    if (till_label_template_matches (g_ptr_array_index (templates, i), code))
      template = g_ptr_array_index (templates, i);
  if (template == NULL)
    {
      g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_NO_MATCH,
                   _ ("%s is not a scale label barcode"), code);
      return NULL;
    }
  if (template->has_check &&
      till_barcode_ean_check_digit (code, template->length - 1) != code[template->length - 1] - '0')
    {
      g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_BAD_CHECK,
                   _ ("The scale label %s has a wrong check digit: scan it again or key the PLU"),
                   code);
      return NULL;
    }
  if (template->verifier_pos >= 0 &&
      till_label_barcode_price_check_digit (code + template->amount_start, template->amount_len) !=
          code[template->verifier_pos] - '0')
    {
      g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_PRICE_CHECK,
                   _ ("The price on the scale label %s does not match its price check digit"),
                   code);
      return NULL;
    }

  label = g_new0 (TillLabelBarcode, 1);
  label->plu = g_strndup (code + template->plu_start, template->plu_len);
  label->template = g_strdup (template->text);
  if (template->amount_len > 0)
    {
      label->has_amount = TRUE;
      label->amount = field_value (code, template->amount_start, template->amount_len) *
                      power_of_ten (2 - template->amount_decimals);
    }
  if (template->quantity_len > 0)
    {
      label->has_quantity = TRUE;
      label->quantity = field_value (code, template->quantity_start, template->quantity_len) *
                        power_of_ten (3 - template->quantity_decimals);
    }
  return label;
}

void
till_label_barcode_free (TillLabelBarcode *self)
{
  if (self == NULL)
    return;
  g_free (self->plu);
  g_free (self->template);
  g_free (self);
}

/**
 * till_label_barcode_make:
 * @template: the layout to print
 * @plu: the item code; shorter codes are padded with leading zeros
 * @amount: fen, for the E field
 * @quantity: thousandths (grams), for the N field
 *
 * Returns: (transfer full): the code with its check digits, or %NULL with
 *   %TILL_LABEL_BARCODE_ERROR_FAILED when a value does not fit its field (or is
 *   not a multiple of the field's last decimal)
 */
char *
till_label_barcode_make (const TillLabelTemplate *template,
                         const char *plu,
                         gint64      amount,
                         gint64      quantity,
                         GError    **error)
{
  g_autofree char *code = NULL;
  gint64           amount_unit, quantity_unit;
  gsize            plu_len;

  g_return_val_if_fail (template != NULL, NULL);
  g_return_val_if_fail (plu != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plu_len = strlen (plu);
  amount_unit = power_of_ten (2 - template->amount_decimals);
  quantity_unit = power_of_ten (3 - template->quantity_decimals);
  code = g_strnfill (template->length, '0');
  memcpy (code, template->prefix, strlen (template->prefix));
  for (gsize i = 0; i < plu_len; i++)
    if (!g_ascii_isdigit (plu[i]))
      {
        plu_len = G_MAXSIZE; /* never fits */
        break;
      }
  if (plu_len > template->plu_len ||
      !put_field (code, template->plu_start, template->plu_len, g_ascii_strtoll (plu, NULL, 10)) ||
      (template->amount_len > 0 &&
       (amount < 0 || amount % amount_unit != 0 ||
        !put_field (code, template->amount_start, template->amount_len, amount / amount_unit))) ||
      (template->quantity_len > 0 &&
       (quantity < 0 || quantity % quantity_unit != 0 ||
        !put_field (code, template->quantity_start, template->quantity_len,
                    quantity / quantity_unit))))
    {
      g_set_error (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_FAILED,
                   _ ("PLU %s, amount %" PRId64 " fen, quantity %" PRId64
                      " do not fit the label template “%s”"),
                   plu, amount, quantity, template->text);
      return NULL;
    }
  if (template->verifier_pos >= 0)
    code[template->verifier_pos] =
        (char) ('0' + till_label_barcode_price_check_digit (code + template->amount_start,
                                                            template->amount_len));
  if (template->has_check)
    code[template->length - 1] =
        (char) ('0' + till_barcode_ean_check_digit (code, template->length - 1));
  return g_steal_pointer (&code);
}
