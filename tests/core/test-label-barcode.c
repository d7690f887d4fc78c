/* test-label-barcode.c: tests for src/core/till-label-barcode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static GPtrArray *
templates (const char *text)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *parsed = till_label_templates_parse (text, &error);

  ck_assert_msg (parsed != NULL, "%s: %s", text, error ? error->message : "");
  return parsed;
}

static TillLabelBarcode *
parse_ok (GPtrArray *list, const char *code)
{
  g_autoptr (GError) error = NULL;
  TillLabelBarcode *label = till_label_barcode_parse (list, code, &error);

  ck_assert_msg (label != NULL, "%s: %s", code, error ? error->message : "");
  return label;
}

static void
assert_parse_error (GPtrArray *list, const char *code, int expected_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillLabelBarcode) label = till_label_barcode_parse (list, code, &error);

  ck_assert_ptr_null (label);
  ck_assert_msg (g_error_matches (error, TILL_LABEL_BARCODE_ERROR, expected_code),
                 "%s: expected code %d, got %s", code, expected_code,
                 error ? error->message : "no error");
}

/* /core/label-barcode/13-amount: 21 + PLU 5 + amount 5 + check [S19a][S19b] */
START_TEST (test_13_amount)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);
  g_autoptr (TillLabelBarcode) label = NULL;

  /* Check digit worked by hand: 2·1+1·3+1·1+0+0+0+1·1+0+1·1+2·3+3·1+4·3 = 29 → 1. */
  label = parse_ok (list, "2110001012341");
  ck_assert_str_eq (label->plu, "10001");
  ck_assert (label->has_amount);
  ck_assert_int_eq (label->amount, 1234);
  ck_assert (!label->has_quantity);
  ck_assert_str_eq (label->template, "21WWWWWEEEEEC");
}
END_TEST

/* /core/label-barcode/13-weight: 22 + PLU 5 + weight 5 (3 decimals) + check */
START_TEST (test_13_weight)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);
  g_autoptr (TillLabelBarcode) label = NULL;
  g_autofree char *code = till_barcode_ean13_complete ("221000100457");

  label = parse_ok (list, code);
  ck_assert_str_eq (label->plu, "10001");
  ck_assert (!label->has_amount);
  ck_assert (label->has_quantity);
  ck_assert_int_eq (label->quantity, 457);
}
END_TEST

/* /core/label-barcode/18-digit: 26 + PLU 5 + amount 5 + weight 5 + check over 17 [S19d] */
START_TEST (test_18_digit)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);
  g_autoptr (TillLabelBarcode) label = NULL;
  g_autofree char *bad = NULL;

  /* Check digit by hand: from the right 7·3+5+4·3+0+0+0+8·3+5+1·3+0+3·3+2+1·3+0+0+6+2·3
   * = 96 → 4. */
  label = parse_ok (list, "260012301580004574");
  ck_assert_str_eq (label->plu, "00123");
  ck_assert (label->has_amount && label->has_quantity);
  ck_assert_int_eq (label->amount, 1580);
  ck_assert_int_eq (label->quantity, 457);

  bad = g_strdup ("260012301580004574");
  bad[17] = '5';
  assert_parse_error (list, bad, TILL_LABEL_BARCODE_ERROR_BAD_CHECK);
  /* A changed amount digit is caught by the check digit too. */
  assert_parse_error (list, "260012301590004574", TILL_LABEL_BARCODE_ERROR_BAD_CHECK);
}
END_TEST

/* /core/label-barcode/bad-check */
START_TEST (test_bad_check)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);

  assert_parse_error (list, "2110001012342", TILL_LABEL_BARCODE_ERROR_BAD_CHECK);
  assert_parse_error (list, "2110001012340", TILL_LABEL_BARCODE_ERROR_BAD_CHECK);
}
END_TEST

/* /core/label-barcode/no-match: other prefixes, lengths, non-digits */
START_TEST (test_no_match)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);
  g_autofree char *ean = till_barcode_ean13_complete ("690123456789");

  assert_parse_error (list, ean, TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  assert_parse_error (list, "23100010123", TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  /* 13 digits with 23: not a default 13-digit prefix. */
  assert_parse_error (list, "2310001012341", TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  assert_parse_error (list, "21100010123a1", TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  assert_parse_error (list, "", TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  /* A WeChat 付款码 is 18 digits too, but starts 10–15. */
  assert_parse_error (list, "134567890123456789", TILL_LABEL_BARCODE_ERROR_NO_MATCH);
  ck_assert (!till_label_templates_match_any (list, ean));
  ck_assert (till_label_templates_match_any (list, "2110001012342"));
}
END_TEST

/* /core/label-barcode/price-check: GS1 price verifier digit, vectors of [S37] */
START_TEST (test_price_check)
{
  g_autoptr (GPtrArray) list = templates ("28WWWWVEEEEEC 27WWWWVEEEEEC 29WWWWWVEEEEC");
  g_autoptr (TillLabelBarcode) label = NULL;
  g_autoptr (TillLabelBarcode) other = NULL;
  g_autoptr (TillLabelBarcode) four = NULL;
  g_autofree char *bad_verifier = NULL;
  g_autofree char *four_code = NULL;

  ck_assert_int_eq (till_label_barcode_price_check_digit ("00502", 5), 5);
  ck_assert_int_eq (till_label_barcode_price_check_digit ("00828", 5), 4);
  ck_assert_int_eq (till_label_barcode_price_check_digit ("00782", 5), 0);
  ck_assert_int_eq (till_label_barcode_price_check_digit ("0050", 3), -1);

  label = parse_ok (list, "2810275005024");
  ck_assert_str_eq (label->plu, "1027");
  ck_assert_int_eq (label->amount, 502);
  other = parse_ok (list, "2746724008288");
  ck_assert_int_eq (other->amount, 828);

  /* A wrong verifier with a check digit made to fit: only the verifier can tell. */
  bad_verifier = till_barcode_ean13_complete ("281027600502");
  assert_parse_error (list, bad_verifier, TILL_LABEL_BARCODE_ERROR_PRICE_CHECK);

  /* 4-digit field: made and read back, and one digit changed is caught. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char   *broken = NULL;
    TillLabelTemplate *t = g_ptr_array_index (list, 2);

    four_code = till_label_barcode_make (t, "12345", 1234, 0, &error);
    ck_assert_msg (four_code != NULL, "%s", error ? error->message : "");
    four = parse_ok (list, four_code);
    ck_assert_int_eq (four->amount, 1234);
    ck_assert_int_eq (four_code[7] - '0', till_label_barcode_price_check_digit ("1234", 4));
    broken = g_strndup (four_code, 12);
    broken[9] = broken[9] == '9' ? '0' : broken[9] + 1;
    g_free (four_code);
    four_code = till_barcode_ean13_complete (broken);
    assert_parse_error (list, four_code, TILL_LABEL_BARCODE_ERROR_PRICE_CHECK);
  }
}
END_TEST

/* /core/label-barcode/decimals: ",e=" and ",n=" options */
START_TEST (test_decimals)
{
  g_autoptr (GPtrArray) list = templates ("21WWWWWEEEEEC,e=1;22WWWWWNNNNNC,n=2");
  g_autofree char *amount_code = till_barcode_ean13_complete ("211000101234");
  g_autofree char *weight_code = till_barcode_ean13_complete ("221000100457");
  g_autoptr (TillLabelBarcode) amount = parse_ok (list, amount_code);
  g_autoptr (TillLabelBarcode) weight = parse_ok (list, weight_code);

  ck_assert_int_eq (amount->amount, 12340);  /* 1234.0 yuan */
  ck_assert_int_eq (weight->quantity, 4570); /* 4.57 kg */
}
END_TEST

/* /core/label-barcode/templates: what a template may and may not say */
START_TEST (test_template_syntax)
{
  const char *bad[] = {
    "WWWWWEEEEEC",                  /* no prefix */
    "21EEEEEEEEEC",                 /* no item code */
    "21WWWWWWWWWC",                 /* neither amount nor weight */
    "21WWWEEWWEEEC",                /* W in two runs */
    "21WWWWWCEEEEE",                /* check digit not last */
    "21WWWWWEEEEEZ",                /* unknown letter */
    "21WW3WWEEEEEC",                /* a digit after the prefix */
    "21WWWWWEEEEEC,e=3",            /* amount with 3 decimals */
    "21WWWWWEEEEEC,x=1",            /* unknown option */
    "21WWWWEEEEEVC",                /* verifier after the amount */
    "21WWWVEEEEEEC",                /* verifier over a 6-digit amount */
    "21WEC",                        /* too short */
    "21WWWWWEEEEEEEEEEEEEEEEEEEEC", /* too long */
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillLabelTemplate) ok = till_label_template_parse ("2WWWWWWNNNNNC", &error);

  ck_assert_msg (ok != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_label_template_get_prefix (ok), "2");
  ck_assert_uint_eq (till_label_template_get_length (ok), 13);
  ck_assert_str_eq (till_label_template_get_text (ok), "2WWWWWWNNNNNC");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (TillLabelTemplate) template = till_label_template_parse (bad[i], &error);

      ck_assert_msg (template == NULL, "accepted %s", bad[i]);
      ck_assert (
          g_error_matches (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_TEMPLATE));
      ck_assert_ptr_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
  ck_assert_ptr_null (till_label_templates_parse (" ; ", &error));
  ck_assert (g_error_matches (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_TEMPLATE));
}
END_TEST

/* /core/label-barcode/first-wins: templates are tried in order */
START_TEST (test_first_wins)
{
  g_autoptr (GPtrArray) list = templates ("2WWWWWWNNNNNC 21WWWWWEEEEEC");
  g_autoptr (TillLabelBarcode) label = parse_ok (list, "2110001012341");

  ck_assert_str_eq (label->template, "2WWWWWWNNNNNC");
  ck_assert_str_eq (label->plu, "110001");
  ck_assert_int_eq (label->quantity, 1234);
}
END_TEST

/* /core/label-barcode/make: every default layout round-trips; too wide fails */
START_TEST (test_make_round_trip)
{
  g_autoptr (GPtrArray) list = templates (till_label_barcode_default_templates);

  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr (GError) error = NULL;
      TillLabelTemplate *t = g_ptr_array_index (list, i);
      g_autofree char   *code = till_label_barcode_make (t, "8001", 99999, 12345, &error);
      g_autoptr (TillLabelBarcode) label = NULL;

      ck_assert_msg (code != NULL, "%s", error ? error->message : "");
      ck_assert_uint_eq (strlen (code), till_label_template_get_length (t));
      label = parse_ok (list, code);
      ck_assert_str_eq (label->template, till_label_template_get_text (t));
      ck_assert_str_eq (label->plu, "08001");
      if (label->has_amount)
        ck_assert_int_eq (label->amount, 99999);
      if (label->has_quantity)
        ck_assert_int_eq (label->quantity, 12345);
      ck_assert (label->has_amount || label->has_quantity);
    }

  {
    g_autoptr (GError) error = NULL;
    TillLabelTemplate *t = g_ptr_array_index (list, 0);

    ck_assert_ptr_null (till_label_barcode_make (t, "8001", 100000, 0, &error));
    ck_assert (g_error_matches (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_FAILED));
    g_clear_error (&error);
    ck_assert_ptr_null (till_label_barcode_make (t, "123456", 100, 0, &error));
    g_clear_error (&error);
    ck_assert_ptr_null (till_label_barcode_make (t, "12a", 100, 0, &error));
  }
}
END_TEST

/* /core/label-barcode/store: the store setting, and the defaults without it */
START_TEST (test_store_setting)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scratch = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (scratch, "till.db", NULL);
  g_autoptr (TillStore) store = till_store_open (path, &error);
  g_autoptr (GPtrArray) defaults = NULL;
  g_autoptr (GPtrArray) custom = NULL;
  g_autoptr (GPtrArray) broken = NULL;

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  defaults = till_label_templates_for_store (store, &error);
  ck_assert_ptr_nonnull (defaults);
  ck_assert_uint_eq (defaults->len, 13);
  ck_assert (till_label_templates_match_any (defaults, "2110001012341"));

  ck_assert (till_store_set_setting (store, TILL_LABEL_BARCODE_SETTING,
                                     "23WWWWWNNNNNC\n24WWWWWEEEEEC", &error));
  custom = till_label_templates_for_store (store, &error);
  ck_assert_ptr_nonnull (custom);
  ck_assert_uint_eq (custom->len, 2);
  ck_assert_str_eq (till_label_template_get_text (g_ptr_array_index (custom, 1)), "24WWWWWEEEEEC");
  ck_assert (!till_label_templates_match_any (custom, "2110001012341"));

  ck_assert (till_store_set_setting (store, TILL_LABEL_BARCODE_SETTING, "21WWW", &error));
  broken = till_label_templates_for_store (store, &error);
  ck_assert_ptr_null (broken);
  ck_assert (g_error_matches (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_TEMPLATE));

  g_clear_object (&store);
  till_test_remove_tree (scratch);
}
END_TEST

static Suite *
label_barcode_suite (void)
{
  Suite *suite = suite_create ("core/label-barcode");
  TCase *tc;

  tc = tcase_create ("parse");
  tcase_add_test (tc, test_13_amount);
  tcase_add_test (tc, test_13_weight);
  tcase_add_test (tc, test_18_digit);
  tcase_add_test (tc, test_bad_check);
  tcase_add_test (tc, test_no_match);
  tcase_add_test (tc, test_price_check);
  tcase_add_test (tc, test_decimals);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("templates");
  tcase_add_test (tc, test_template_syntax);
  tcase_add_test (tc, test_first_wins);
  tcase_add_test (tc, test_make_round_trip);
  tcase_add_test (tc, test_store_setting);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (label_barcode_suite ());
}
