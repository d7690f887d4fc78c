/* test-member.c: tests for src/core/till-member.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

#define ck_assert_no_error(error) \
  ck_assert_msg ((error) == NULL, "unexpected error: %s", (error) != NULL ? (error)->message : "")

static char          *scratch;
static char          *db_path;
static char          *journal_key_path;
static char          *member_key_path;
static TillStore     *store;
static TillCatalog   *catalog;
static TillJournal   *journal;
static TillMemberKey *key;
static TillUser      *cashier;
static TillUser      *manager;
static gint64         cola_id;

/* The members' phones and names here are not any user's name or a setting:
 * the PIPL test looks for them in the database file. */
static const TillMemberSpec spec_chen = {
  .phone = "139 1234-5678",
  .name = "陈美玲",
  .birthday = "1990-05-17",
  .card_no = "M0000042",
};

static const TillOverride manager_override = {
  .supervisor_code = "9001",
  .supervisor_secret = "9999",
  .reason = "member-request",
};

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, journal_key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  key = till_member_key_load_or_create (member_key_path, &error);
  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
}

static void
close_all (void)
{
  g_clear_object (&cashier);
  g_clear_object (&manager);
  g_clear_object (&key);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = "C001",
    .name = "可口可乐 330ml",
    .unit = "罐",
    .price = 350,
    .cost = 175,
    .vat_rate = 1300,
    .active = TRUE,
  };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  journal_key_path = g_build_filename (scratch, "journal.key", NULL);
  member_key_path = g_build_filename (scratch, "member.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  catalog = till_catalog_new (store);
  cola_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (cola_id > 0, "%s", error ? error->message : "");
  g_clear_object (&catalog);
  g_clear_object (&store);
  open_all ();
}

static void
teardown (void)
{
  close_all ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&journal_key_path, g_free);
  g_clear_pointer (&member_key_path, g_free);
}

static gint64
query_int (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_journal (const char *kind)
{
  return query_int ("SELECT count(*) FROM journal WHERE kind = ?", kind);
}

/* Every journal body and outbox payload, one after the other. */
static char *
all_journal_and_outbox_text (void)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  GString *out = g_string_new (NULL);

  ck_assert_int_eq (
      sqlite3_prepare_v2 (till_store_get_db (store),
                          "SELECT body FROM journal UNION ALL SELECT payload FROM outbox", -1,
                          &stmt, NULL),
      SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_string_append_len (out, sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static TillMember *
register_ok (const TillMemberSpec *spec)
{
  g_autoptr (GError) error = NULL;
  TillMember *member = till_member_register (store, journal, key, cashier, spec, &error);

  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  return member;
}

/* One cash sale of a can of cola, recorded as the till records it, then
 * named as @member_id's (as the cart's member attaching does; set directly
 * here so that this suite tests the member module alone). */
static char *
sell_cola_to (const char *member_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (store, catalog);
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, cola_id, &error);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
  sale = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "UPDATE sale SET member_id = ?, member_masked = "
                                        "'139****5678' WHERE uuid = ?",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, till_sale_get_uuid (sale), -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  return g_strdup (till_sale_get_uuid (sale));
}

static void
exec_sql (const char *sql)
{
  char *message = NULL;

  ck_assert_msg (sqlite3_exec (till_store_get_db (store), sql, NULL, NULL, &message) == SQLITE_OK,
                 "%s: %s", sql, message ? message : "");
}

/* /core/member/normalize-phone: spaces, dashes and +86 are dropped; what is
 * not an 11-digit mainland mobile number is refused. */
START_TEST (test_normalize_phone)
{
  const char *good[] = { "13912345678",     "139 1234 5678",     "139-1234-5678",
                         " 139 1234-5678 ", "+86 139 1234 5678", "8613912345678" };
  const char *bad[] = { "",
                        "1391234567",
                        "139123456789",
                        "12912345678",
                        "23912345678",
                        "1391234567a",
                        "139.1234.5678",
                        "+1 139 1234 5678" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *phone = till_member_normalize_phone (good[i], &error);

      ck_assert_msg (phone != NULL, "%s refused: %s", good[i], error ? error->message : "");
      ck_assert_str_eq (phone, "13912345678");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *phone = till_member_normalize_phone (bad[i], &error);

      ck_assert_msg (phone == NULL, "“%s” taken as %s", bad[i], phone);
      ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_PHONE);
    }
}
END_TEST

/* /core/member/mask: 138****1234; Chinese names keep the family name (and
 * the last character from three on), Latin names their first letter. */
START_TEST (test_mask)
{
  const struct
  {
    const char *name;
    const char *masked;
  } names[] = {
    { "王", "*" },        { "王丽", "王*" }, { "王小丽", "王*丽" },   { "欧阳娜娜", "欧**娜" },
    { "Alice", "A****" }, { "Li", "L*" },    { " 王小丽 ", "王*丽" }, { "", "" },
  };
  g_autofree char *phone = till_member_mask_phone ("13812341234");
  g_autofree char *none = till_member_mask_name (NULL);

  ck_assert_str_eq (phone, "138****1234");
  ck_assert_str_eq (none, "");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *masked = till_member_mask_name (names[i].name);

      ck_assert_msg (g_strcmp0 (masked, names[i].masked) == 0, "“%s” masked as “%s”, not “%s”",
                     names[i].name, masked, names[i].masked);
    }
}
END_TEST

/* /core/member/register: the member row holds masked and sealed values
 * only; registration is journaled (masked phone, the user) and queued for
 * HQ with the sealed fields in base64. */
START_TEST (test_register)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autoptr (GError) error = NULL;
  g_autofree char *texts = NULL;
  gint64           bad_seq = 0;

  ck_assert (till_uuid_is_valid (member->id));
  ck_assert_str_eq (member->phone_masked, "139****5678");
  ck_assert_str_eq (member->name_masked, "陈*玲");
  ck_assert_str_eq (member->card_no, "M0000042");
  ck_assert_str_eq (member->tier, "");
  ck_assert_uint_eq (member->birth_month, 5);
  ck_assert_uint_eq (member->birth_day, 17);
  ck_assert (!member->opt_out);
  ck_assert (!member->erased);
  ck_assert_int_gt (member->registered_us, 0);

  ck_assert_int_eq (query_int ("SELECT count(*) FROM member", NULL), 1);
  ck_assert_int_eq (query_int ("SELECT length (phone_hash) FROM member", NULL), 32);
  ck_assert_int_eq (count_journal ("member-register"), 1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM journal WHERE kind = 'member-register' AND ref_uuid = ?",
                 member->id),
      1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'member'", NULL), 1);

  texts = all_journal_and_outbox_text ();
  ck_assert_ptr_nonnull (strstr (texts, "\"phone_masked\":\"139****5678\""));
  ck_assert_ptr_nonnull (strstr (texts, "\"user_code\":\"1001\""));
  ck_assert_ptr_nonnull (strstr (texts, "\"phone_sealed\":\""));
  ck_assert_ptr_nonnull (strstr (texts, "\"phone_hash\":\""));
  ck_assert_ptr_nonnull (strstr (texts, "\"action\":\"register\""));
  ck_assert_ptr_null (strstr (texts, "13912345678"));
  ck_assert_ptr_null (strstr (texts, "陈美玲"));
  ck_assert_ptr_null (strstr (texts, "1990-05-17"));

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* /core/member/find: by phone however typed, by card (any case), by QR, by
 * id, and through till_member_find for each kind of code. */
START_TEST (test_find)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autofree char *qr = till_member_qr_payload (key, member->id);
  const char      *codes[] = { "13912345678", "139-1234-5678", "M0000042", "m0000042", qr };

  ck_assert (till_member_is_qr (qr));
  ck_assert (!till_member_is_qr ("13912345678"));
  ck_assert (g_str_has_prefix (qr, "OTM1|"));
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillMember) found = till_member_find (store, key, codes[i], &error);

      ck_assert_msg (found != NULL, "%s: %s", codes[i], error ? error->message : "");
      ck_assert_str_eq (found->id, member->id);
      ck_assert_str_eq (found->phone_masked, "139****5678");
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillMember) by_phone =
        till_member_find_by_phone (store, key, "139 1234 5678", &error);
    g_autoptr (TillMember) by_card = till_member_find_by_card (store, key, " M0000042 ", &error);
    g_autoptr (TillMember) by_qr = till_member_find_by_qr (store, key, qr, &error);
    g_autoptr (TillMember) by_id = till_member_load (store, key, member->id, &error);

    ck_assert_no_error (error);
    ck_assert_str_eq (by_phone->id, member->id);
    ck_assert_str_eq (by_card->id, member->id);
    ck_assert_str_eq (by_qr->id, member->id);
    ck_assert_str_eq (by_id->id, member->id);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillMember) nobody = till_member_find (store, key, "13912345679", &error);

    ck_assert_ptr_null (nobody);
    ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
    /* The message shows the number masked, as everything on screen. */
    ck_assert_ptr_null (strstr (error->message, "13912345679"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillMember) nobody = till_member_find (store, key, "M9999999", &error);

    ck_assert_ptr_null (nobody);
    ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  }
}
END_TEST

/* /core/member/find-other-key: a till with another member key finds no one
 * by phone (the keyed hash differs) and takes no QR of this till's. */
START_TEST (test_find_other_key)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autofree char *qr = till_member_qr_payload (key, member->id);
  guint8           bytes[64] = { 7 };
  g_autoptr (TillMemberKey) other = till_member_key_new_from_bytes (bytes);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) by_phone = till_member_find_by_phone (store, other, "13912345678", &error);

  ck_assert_ptr_null (by_phone);
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr (TillMember) by_qr = till_member_find_by_qr (store, other, qr, &error);

    ck_assert_ptr_null (by_qr);
    ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_QR);
  }
}
END_TEST

/* /core/member/forged-qr: a changed tag, another member's tag, a made-up
 * id or a malformed code are refused as not genuine. */
START_TEST (test_forged_qr)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autofree char *qr = till_member_qr_payload (key, member->id);
  g_autofree char *other_id = till_uuid_v7_new ();
  g_autofree char *other_tag = till_member_key_tag (key, other_id);
  g_autofree char *flipped = g_strdup (qr);
  g_autofree char *swapped = g_strdup_printf ("OTM1|%s|%s", member->id, other_tag);
  g_autofree char *unknown = till_member_qr_payload (key, other_id);
  const char      *malformed[] = { "OTM1|", "OTM1|abc|0123456789abcdef", "OTM2|x|y", "OTM1|a|b|c" };
  char            *last = flipped + strlen (flipped) - 1;

  *last = *last == '0' ? '1' : '0';
  {
    const char *forged[] = { flipped, swapped };

    for (guint i = 0; i < G_N_ELEMENTS (forged); i++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (TillMember) found = till_member_find (store, key, forged[i], &error);

        ck_assert_msg (found == NULL, "forged %s taken", forged[i]);
        ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_QR);
      }
  }
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillMember) found = till_member_find_by_qr (store, key, malformed[i], &error);

      ck_assert_ptr_null (found);
      ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_QR);
    }
  {
    /* Genuine, but no member of this till. */
    g_autoptr (GError) error = NULL;
    g_autoptr (TillMember) found = till_member_find_by_qr (store, key, unknown, &error);

    ck_assert_ptr_null (found);
    ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  }
}
END_TEST

/* /core/member/duplicate: the same phone (typed otherwise) or the same card
 * is refused, and nothing is recorded. */
START_TEST (test_duplicate)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  TillMemberSpec        same_phone = { .phone = "+86 13912345678", .name = "陈美" };
  TillMemberSpec        same_card = { .phone = "13700001111", .card_no = "m0000042" };
  gint64                journal_before = query_int ("SELECT count(*) FROM journal", NULL);
  const TillMemberSpec *specs[] = { &same_phone, &same_card };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillMember) again =
          till_member_register (store, journal, key, cashier, specs[i], &error);

      ck_assert_ptr_null (again);
      ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_EXISTS);
      ck_assert_ptr_null (strstr (error->message, "13912345678"));
    }
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member", NULL), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal", NULL), journal_before);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'member'", NULL), 1);
}
END_TEST

/* /core/member/bad-input: a phone that is not a mobile number, a birthday
 * that is no date or in the future, and a card with odd characters are
 * refused with nothing recorded; MM-DD and 02-29 are birthdays. */
START_TEST (test_bad_input)
{
  g_autoptr (GDateTime) tomorrow = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *tomorrow_text = NULL;
  const struct
  {
    const char *phone;
    const char *birthday;
    int         code;
  } bad[] = {
    { "1234567", NULL, TILL_MEMBER_ERROR_PHONE },
    { "12345678901", NULL, TILL_MEMBER_ERROR_PHONE },
    { "13700001111", "1990-02-30", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", "2999-01-01", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", "13-01", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", "1990/05/17", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", "yesterday", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", "1800-01-01", TILL_MEMBER_ERROR_BIRTHDAY },
    { "13700001111", NULL, -1 }, /* tomorrow, filled in below */
  };

  tomorrow = g_date_time_add_days (now, 1);
  tomorrow_text = g_date_time_format (tomorrow, "%Y-%m-%d");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      TillMemberSpec spec = {
        .phone = bad[i].phone,
        .birthday = bad[i].code == -1 ? tomorrow_text : bad[i].birthday,
      };
      g_autoptr (TillMember) member =
          till_member_register (store, journal, key, cashier, &spec, &error);

      ck_assert_msg (member == NULL, "%s / %s registered", spec.phone, spec.birthday);
      ck_assert_error (error, TILL_MEMBER_ERROR,
                       bad[i].code == -1 ? TILL_MEMBER_ERROR_BIRTHDAY : bad[i].code);
    }
  {
    g_autoptr (GError) error = NULL;
    TillMemberSpec spec = { .phone = "13700001111", .card_no = "M 01'; DROP" };
    g_autoptr (TillMember) member =
        till_member_register (store, journal, key, cashier, &spec, &error);

    ck_assert_ptr_null (member);
    ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_FAILED);
  }
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member", NULL), 0);
  ck_assert_int_eq (count_journal ("member-register"), 0);
  {
    TillMemberSpec   leap = { .phone = "13700001111", .birthday = "02-29" };
    TillMemberSpec   today = { .phone = "13700002222" };
    g_autofree char *today_text = g_date_time_format (now, "%Y-%m-%d");
    g_autoptr (TillMember) a = NULL;
    g_autoptr (TillMember) b = NULL;

    today.birthday = today_text;
    a = register_ok (&leap);
    b = register_ok (&today);
    ck_assert_uint_eq (a->birth_month, 2);
    ck_assert_uint_eq (a->birth_day, 29);
    ck_assert_uint_eq (b->birth_month, (guint) g_date_time_get_month (now));
    ck_assert_uint_eq (b->birth_day, (guint) g_date_time_get_day_of_month (now));
    ck_assert_str_eq (a->name_masked, "");
  }
}
END_TEST

/* /core/member/open-personal: a cashier is refused (and nothing is
 * journaled as viewed); with a manager's override, or as the manager, the
 * full values come back and each opening is journaled without them. */
START_TEST (test_open_personal)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberPersonal) refused = NULL;
  g_autoptr (TillMemberPersonal) overridden = NULL;
  g_autoptr (TillMemberPersonal) as_manager = NULL;
  g_autofree char *texts = NULL;
  TillOverride     bad_override = manager_override;

  refused = till_member_open_personal (store, journal, key, cashier, NULL, member->id, &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("member-view"), 0);

  bad_override.supervisor_secret = "0000";
  refused =
      till_member_open_personal (store, journal, key, cashier, &bad_override, member->id, &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE);
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("member-view"), 0);

  overridden = till_member_open_personal (store, journal, key, cashier, &manager_override,
                                          member->id, &error);
  ck_assert_msg (overridden != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (overridden->phone, "13912345678");
  ck_assert_str_eq (overridden->name, "陈美玲");
  ck_assert_str_eq (overridden->birthday, "1990-05-17");
  ck_assert_int_eq (count_journal ("member-view"), 1);
  ck_assert_int_eq (count_journal ("override"), 1);

  as_manager = till_member_open_personal (store, journal, key, manager, NULL, member->id, &error);
  ck_assert_msg (as_manager != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (as_manager->phone, "13912345678");
  ck_assert_int_eq (count_journal ("member-view"), 2);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM journal WHERE kind = 'member-view' AND "
                 "ref_uuid = ? AND CAST (body AS TEXT) LIKE '%\"user_code\":\"9001\"%'",
                 member->id),
      1);

  texts = all_journal_and_outbox_text ();
  ck_assert_ptr_null (strstr (texts, "13912345678"));
  ck_assert_ptr_null (strstr (texts, "陈美玲"));
}
END_TEST

/* /core/member/open-personal-no-name: what was not given opens as NULL. */
START_TEST (test_open_personal_partial)
{
  TillMemberSpec spec = { .phone = "13700001111" };
  g_autoptr (TillMember) member = register_ok (&spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberPersonal) personal =
      till_member_open_personal (store, journal, key, manager, NULL, member->id, &error);

  ck_assert_msg (personal != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (personal->phone, "13700001111");
  ck_assert_ptr_null (personal->name);
  ck_assert_ptr_null (personal->birthday);
}
END_TEST

/* /core/member/export: the manager's export holds the personal data, the
 * member's sales, points and stored-value ledger, and is journaled; a
 * cashier's is refused. */
START_TEST (test_export)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autoptr (GError) error = NULL;
  g_autofree char *sale_uuid = sell_cola_to (member->id);
  g_autofree char *refused = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *sale_json = NULL;
  g_autofree char *points_sql = NULL;
  g_autofree char *sv_sql = NULL;
  g_autofree char *other_sale = NULL;

  /* Ledger rows as loyalty and stored value write them (their own suites
   * test how); here only that the export gathers them. */
  points_sql = g_strdup_printf ("INSERT INTO member_points (op_uuid, member_id, kind, points, "
                                "sale_uuid, created_us) VALUES ('pts-op-1', '%s', 'earn', 35, "
                                "'%s', 1)",
                                member->id, sale_uuid);
  exec_sql (points_sql);
  sv_sql = g_strdup_printf ("INSERT INTO sv_account (id, card_no, holder, created_us, member_id) "
                            "VALUES (77, 'SV-TEST-77', '陈*玲', 1, '%s');"
                            "INSERT INTO sv_ledger (op_uuid, account_id, kind, amount, created_us) "
                            "VALUES ('sv-op-1', 77, 'top-up', 12345, 2)",
                            member->id);
  exec_sql (sv_sql);
  /* Someone else's sale stays out. */
  other_sale = sell_cola_to ("someone-else");

  refused = till_member_export (store, journal, key, cashier, NULL, member->id, &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("member-export"), 0);

  exported = till_member_export (store, journal, key, manager, NULL, member->id, &error);
  ck_assert_msg (exported != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (strstr (exported, "\"phone\":\"13912345678\""));
  ck_assert_ptr_nonnull (strstr (exported, "\"name\":\"陈美玲\""));
  ck_assert_ptr_nonnull (strstr (exported, "\"birthday\":\"1990-05-17\""));
  ck_assert_ptr_nonnull (strstr (exported, "\"card_no\":\"M0000042\""));
  sale_json = g_strdup_printf ("{\"uuid\":\"%s\",\"receipt_no\":", sale_uuid);
  ck_assert_ptr_nonnull (strstr (exported, sale_json));
  ck_assert_ptr_null (strstr (exported, other_sale));
  ck_assert_ptr_nonnull (strstr (exported, "\"total\":350"));
  ck_assert_ptr_nonnull (strstr (exported, "\"op_uuid\":\"pts-op-1\""));
  ck_assert_ptr_nonnull (strstr (exported, "\"points\":35"));
  ck_assert_ptr_nonnull (strstr (exported, "\"card_no\":\"SV-TEST-77\""));
  ck_assert_ptr_nonnull (strstr (exported, "\"amount\":12345"));
  ck_assert_int_eq (count_journal ("member-export"), 1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM journal WHERE kind = 'member-export' AND ref_uuid = ? "
                 "AND CAST (body AS TEXT) NOT LIKE '%13912345678%'",
                 member->id),
      1);
}
END_TEST

/* /core/member/erase: after erasure the member is found by none of phone,
 * card or QR, only by id as erased; the personal data is gone from the row;
 * their sales are intact; it is journaled and queued; the phone may join
 * again as a new member. */
START_TEST (test_erase)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autoptr (GError) error = NULL;
  g_autofree char *sale_uuid = sell_cola_to (member->id);
  g_autofree char *qr = till_member_qr_payload (key, member->id);
  g_autoptr (TillMember) loaded = NULL;
  g_autoptr (TillMember) again = NULL;
  g_autoptr (TillMemberPersonal) personal = NULL;
  const char *codes[] = { "13912345678", "M0000042", qr };
  gint64      bad_seq = 0;

  ck_assert (!till_member_erase (store, journal, cashier, NULL, member->id, &error));
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member WHERE erased_us IS NULL", NULL), 1);

  ck_assert_msg (till_member_erase (store, journal, cashier, &manager_override, member->id, &error),
                 "%s", error ? error->message : "");
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr (TillMember) found = till_member_find (store, key, codes[i], &error);

      ck_assert_msg (found == NULL, "erased member found by %s", codes[i]);
      ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }
  loaded = till_member_load (store, key, member->id, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert (loaded->erased);
  ck_assert_str_eq (loaded->phone_masked, "***");
  ck_assert_str_eq (loaded->name_masked, "");
  ck_assert_ptr_null (loaded->card_no);
  ck_assert_uint_eq (loaded->birth_month, 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member WHERE phone_sealed IS NULL AND "
                               "name_sealed IS NULL AND birthday_sealed IS NULL AND phone_hash "
                               "IS NULL AND card_no IS NULL AND id = ?",
                               member->id),
                    1);

  personal = till_member_open_personal (store, journal, key, manager, NULL, member->id, &error);
  ck_assert_ptr_null (personal);
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_ERASED);
  g_clear_error (&error);
  ck_assert (!till_member_erase (store, journal, manager, NULL, member->id, &error));
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_ERASED);
  g_clear_error (&error);

  /* The sale still adds up and still names the member id. */
  ck_assert_int_eq (query_int ("SELECT total FROM sale WHERE uuid = ?", sale_uuid), 350);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale WHERE member_id IS NOT NULL", NULL), 1);
  ck_assert_int_eq (count_journal ("member-erase"), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'member' AND "
                               "CAST (payload AS TEXT) LIKE '%\"action\":\"erase\"%'",
                               NULL),
                    1);
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");

  again = register_ok (&spec_chen);
  ck_assert_str_ne (again->id, member->id);
}
END_TEST

/* /core/member/opt-out-and-tier: the marketing choice is journaled and
 * queued; the tier is stored; an unknown member is an error. */
START_TEST (test_opt_out_and_tier)
{
  g_autoptr (TillMember) member = register_ok (&spec_chen);
  g_autoptr (TillMember) loaded = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_member_set_opt_out (store, journal, cashier, member->id, TRUE, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_member_set_tier (store, member->id, "gold", &error), "%s",
                 error ? error->message : "");
  loaded = till_member_load (store, key, member->id, &error);
  ck_assert (loaded->opt_out);
  ck_assert_str_eq (loaded->tier, "gold");
  ck_assert_int_eq (count_journal ("member-opt-out"), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'member'", NULL), 2);
  /* Each change is its own document for HQ. */
  ck_assert_int_eq (
      query_int ("SELECT count(DISTINCT ref_uuid) FROM outbox WHERE kind = 'member'", NULL), 2);

  ck_assert (!till_member_set_tier (store, "no-such-member", "gold", &error));
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert (!till_member_set_opt_out (store, journal, cashier, "no-such-member", FALSE, &error));
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);

  /* Inside the caller's transaction: rolled back with it. */
  g_clear_error (&error);
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_member_set_tier (store, member->id, "silver", &error));
  till_store_rollback (store);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member WHERE tier = 'gold'", NULL), 1);
}
END_TEST

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize            len = 0;
  gsize            needle_len = strlen (needle);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  for (gsize i = 0; needle_len <= len && i <= len - needle_len; i++)
    if (memcmp (contents + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* /core/member/pipl: after registering members, looking at, exporting and
 * changing them, neither the database file nor its WAL holds any phone
 * number, name or birthday in plain text; the journal and outbox do not
 * either. The same search finds a plain value that is there (a user's name),
 * so it can fail. */
START_TEST (test_pipl_no_plain_text)
{
  const TillMemberSpec specs[] = {
    spec_chen,
    { .phone = "13700001111", .name = "欧阳修远", .birthday = "1975-12-01" },
    { .phone = "186-0000-2222", .name = "Zhang Weiming", .birthday = "08-08", .opt_out = TRUE },
  };
  const char      *secrets[] = { "13912345678",   "13700001111", "18600002222", "139 1234-5678",
                                 "186-0000-2222", "陈美玲",      "欧阳修远",    "Zhang Weiming",
                                 "1990-05-17",    "1975-12-01" };
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *texts = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr (TillMember) member = register_ok (&specs[i]);
      g_autoptr (TillMemberPersonal) personal =
          till_member_open_personal (store, journal, key, manager, NULL, member->id, &error);
      g_autofree char *exported =
          till_member_export (store, journal, key, manager, NULL, member->id, &error);

      ck_assert_msg (personal != NULL && exported != NULL, "%s", error ? error->message : "");
      ck_assert (
          till_member_set_opt_out (store, journal, cashier, member->id, !specs[i].opt_out, &error));
    }

  texts = all_journal_and_outbox_text ();
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    ck_assert_msg (strstr (texts, secrets[i]) == NULL, "%s in the journal or outbox", secrets[i]);

  /* While the till runs the new pages are in the WAL. */
  ck_assert (g_file_test (wal_path, G_FILE_TEST_EXISTS));
  ck_assert (file_contains (wal_path, "王小丽") || file_contains (db_path, "王小丽"));
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      ck_assert_msg (!file_contains (db_path, secrets[i]), "%s in %s", secrets[i], db_path);
      ck_assert_msg (!file_contains (wal_path, secrets[i]), "%s in %s", secrets[i], wal_path);
    }

  /* And after a checkpoint has moved everything into the database file. */
  ck_assert_msg (till_store_checkpoint (store, TRUE, &error), "%s", error ? error->message : "");
  close_all ();
  ck_assert (file_contains (db_path, "王小丽"));
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    ck_assert_msg (!file_contains (db_path, secrets[i]), "%s in %s", secrets[i], db_path);
  open_all ();
}
END_TEST

/* /core/member/demo: the demo members are registered and findable: the
 * member card, today's birthday, the opted-out one. */
START_TEST (test_demo_members)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (TillMember) first = NULL;
  g_autoptr (TillMember) by_card = NULL;
  g_autoptr (TillMember) birthday = NULL;
  g_autoptr (TillMember) opted_out = NULL;

  ck_assert_msg (till_demo_add_members (store, journal, key, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_ge (query_int ("SELECT count(*) FROM member", NULL), 4);
  first = till_member_find_by_phone (store, key, TILL_DEMO_MEMBER_PHONE, &error);
  by_card = till_member_find_by_card (store, key, TILL_DEMO_MEMBER_CARD, &error);
  birthday = till_member_find_by_phone (store, key, TILL_DEMO_MEMBER_BIRTHDAY_PHONE, &error);
  opted_out = till_member_find_by_phone (store, key, TILL_DEMO_MEMBER_OPT_OUT_PHONE, &error);
  ck_assert_no_error (error);
  ck_assert_str_eq (first->phone_masked, "138****8000");
  ck_assert_str_eq (by_card->id, first->id);
  ck_assert_uint_eq (birthday->birth_month, (guint) g_date_time_get_month (now));
  ck_assert_uint_eq (birthday->birth_day, (guint) g_date_time_get_day_of_month (now));
  ck_assert (opted_out->opt_out);
  ck_assert (!first->opt_out);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'member-register' AND "
                               "CAST (body AS TEXT) LIKE '%\"user_code\":\"9001\"%'",
                               NULL),
                    query_int ("SELECT count(*) FROM member", NULL));

  /* A second time: the phones are members already. */
  ck_assert (!till_demo_add_members (store, journal, key, &error));
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_EXISTS);
}
END_TEST

static Suite *
member_suite (void)
{
  Suite *suite = suite_create ("/core/member");
  TCase *tcase = tcase_create ("/core/member");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_normalize_phone);
  tcase_add_test (tcase, test_mask);
  tcase_add_test (tcase, test_register);
  tcase_add_test (tcase, test_find);
  tcase_add_test (tcase, test_find_other_key);
  tcase_add_test (tcase, test_forged_qr);
  tcase_add_test (tcase, test_duplicate);
  tcase_add_test (tcase, test_bad_input);
  tcase_add_test (tcase, test_open_personal);
  tcase_add_test (tcase, test_open_personal_partial);
  tcase_add_test (tcase, test_export);
  tcase_add_test (tcase, test_erase);
  tcase_add_test (tcase, test_opt_out_and_tier);
  tcase_add_test (tcase, test_pipl_no_plain_text);
  tcase_add_test (tcase, test_demo_members);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (member_suite ());
}
