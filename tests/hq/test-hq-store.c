/* test-hq-store.c: HQ's rules (src/hq/hq-store.c), each test on SQLite and on
 * a private PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <unistd.h>

#include "hq-store.h"
#include "till-pg-fixture.h"
#include "till-test-util.h"

/* Started once in main(), before Check forks the tests. */
static TillPgServer *pg_server;

/* Loop index of each test: which database it runs on. */
enum
{
  BACKEND_SQLITE,
  BACKEND_POSTGRES,
  N_BACKENDS,
};

static const char *const backend_names[] = { "sqlite", "postgres" };

typedef struct
{
  char    *dir;
  char    *location; /* what hq_store_open() was given, to open it again */
  HqStore *store;
} Env;

static void
env_open (Env *env, int backend)
{
  g_autoptr (GError) error = NULL;
  char *location = NULL;

  env->dir = till_test_make_tmpdir ();
  if (backend == BACKEND_SQLITE)
    location = g_build_filename (env->dir, "hq.db", NULL);
  else
    {
      static guint     n_databases;
      g_autofree char *name = g_strdup_printf ("hqstore_%d_%u", (int) getpid (), n_databases++);

      ck_assert_ptr_nonnull (pg_server);
      location = till_pg_server_create_database (pg_server, name, &error);
      ck_assert_msg (location != NULL, "createdb: %s", error ? error->message : "");
    }
  env->location = location;
  env->store = hq_store_open (location, &error);
  ck_assert_msg (env->store != NULL, "open %s: %s", backend_names[backend],
                 error ? error->message : "");
  ck_assert_int_eq (hq_db_is_postgres (hq_store_get_db (env->store)), backend == BACKEND_POSTGRES);
}

static void
env_close (Env *env)
{
  g_clear_object (&env->store);
  till_test_remove_tree (env->dir);
  g_clear_pointer (&env->dir, g_free);
  g_clear_pointer (&env->location, g_free);
}

/* Two groups, three stores: S001 and S002 in G1 (华东), S003 in G2 (华南). */
static void
put_chain (HqStore *store)
{
  g_autoptr (GError) error = NULL;

  ck_assert (hq_store_put_group (store, "G1", "华东区", &error));
  ck_assert (hq_store_put_group (store, "G2", "华南区", &error));
  ck_assert (hq_store_put_store (store, "S001", "开心便利店 世纪大道店", "G1", &error));
  ck_assert (hq_store_put_store (store, "S002", "开心便利店 陆家嘴店", "G1", &error));
  ck_assert (hq_store_put_store (store, "S003", "开心便利店 天河店", "G2", &error));
}

static char *
random_key_b64 (void)
{
  guint8 key[32];

  ck_assert_int_eq (RAND_bytes (key, sizeof key), 1);
  return g_base64_encode (key, sizeof key);
}

/* Enrolls till @till_no of @store_id with a fresh token and certificate
 * "<till_id>/<epoch>", and returns it as hq-server would find it. */
static HqTill *
enroll_till (HqStore *store, const char *store_id, guint till_no)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *secret =
      hq_store_create_enroll_token (store, store_id, till_no, G_TIME_SPAN_HOUR, &error);
  g_autofree char *key = random_key_b64 ();
  g_autoptr (HqEnrollment) enrollment = NULL;
  g_autofree char *fingerprint = NULL;
  HqTill          *till;

  ck_assert_msg (secret != NULL, "token: %s", error ? error->message : "");
  enrollment = hq_store_enroll (store, secret, key, &error);
  ck_assert_msg (enrollment != NULL, "enroll: %s", error ? error->message : "");
  fingerprint = g_strdup_printf ("%s/%u", enrollment->till_id, enrollment->epoch);
  ck_assert (hq_store_set_till_certificate (store, enrollment->till_id, fingerprint, &error));
  till = hq_store_find_till_by_certificate (store, fingerprint, &error);
  ck_assert_msg (till != NULL, "find: %s", error ? error->message : "");
  ck_assert_str_eq (till->journal_key, key);
  return till;
}

/* --- Documents as the till writes them (src/core/till-sale.c,
 * till-return.c, till-outbox.c) ----------------------------------------------- */

typedef struct
{
  const char *sku;
  const char *name;
  gint64      quantity; /* thousandths */
  gint64      unit_price;
} Line;

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

static gint64
line_amount (const Line *line)
{
  return (line->unit_price * line->quantity + 500) / 1000;
}

static void
append_lines (GString *out, const Line *lines, guint n_lines, gboolean is_return)
{
  g_string_append (out, ",\"lines\":[");
  for (guint i = 0; i < n_lines; i++)
    {
      g_string_append_printf (
          out,
          "%s{\"line_no\":%u,%s\"product_id\":%u,\"sku\":\"%s\",\"name\":\"%s\","
          "\"unit\":\"瓶\",\"quantity\":%" PRId64 ",\"unit_price\":%" PRId64 ",\"amount\":%" PRId64
          ",%s\"vat_rate\":1300,\"weighed\":0%s}",
          i > 0 ? "," : "", i + 1, is_return ? "\"sale_line_no\":1," : "", i + 7, lines[i].sku,
          lines[i].name, lines[i].quantity, lines[i].unit_price, line_amount (&lines[i]),
          is_return ? "\"line_discount\":0,\"sale_discount\":0," : "",
          is_return ? ",\"location\":\"shelf\"" : "");
    }
  g_string_append_c (out, ']');
}

static gint64
lines_total (const Line *lines, guint n_lines)
{
  gint64 total = 0;

  for (guint i = 0; i < n_lines; i++)
    total += line_amount (&lines[i]);
  return total;
}

static char *
sale_payload (
    const char *uuid, const char *day, const Line *lines, guint n_lines, gint64 journal_seq)
{
  GString *out = g_string_new (NULL);
  gint64   total = lines_total (lines, n_lines);

  g_string_append_printf (
      out,
      "{\"sale\":{\"uuid\":\"%s\",\"till_id\":\"S001-01\",\"receipt_no\":%" PRId64
      ",\"business_day\":\"%s\",\"created_us\":1767225600000000,"
      "\"cashier_id\":1,\"cashier_code\":\"1001\",\"cashier_name\":\"王小丽\"",
      uuid, journal_seq, day);
  append_lines (out, lines, n_lines, FALSE);
  g_string_append_printf (
      out,
      ",\"subtotal\":%" PRId64 ",\"rounding\":0,\"total\":%" PRId64
      ",\"item_count\":%u,\"payments\":[{\"method\":\"cash\",\"amount\":%" PRId64
      ",\"tendered\":%" PRId64 ",\"change\":0}]},\"journal_seq\":%" PRId64
      ",\"journal_hash\":\"%s\"}",
      total, total, n_lines, total, total, journal_seq, zero_hash);
  return g_string_free (out, FALSE);
}

static char *
return_payload (
    const char *uuid, const char *sale_uuid, const char *day, const Line *lines, guint n_lines)
{
  GString *out = g_string_new (NULL);
  gint64   total = lines_total (lines, n_lines);

  g_string_append_printf (out,
                          "{\"return\":{\"uuid\":\"%s\",\"return_no\":1,\"till_id\":\"S001-01\","
                          "\"business_day\":\"%s\",\"created_us\":1767225600000000,"
                          "\"sale_uuid\":\"%s\",\"exchange_sale_uuid\":null,\"reason\":\"defect\","
                          "\"cashier_id\":1,\"cashier_code\":\"1001\",\"cashier_name\":\"王小丽\","
                          "\"approver_code\":\"9001\"",
                          uuid, day, sale_uuid);
  append_lines (out, lines, n_lines, TRUE);
  g_string_append_printf (out,
                          ",\"subtotal\":%" PRId64 ",\"rounding\":0,\"refund_total\":%" PRId64
                          ",\"refunds\":[{\"method\":\"cash\",\"kind\":\"cash\",\"amount\":%" PRId64
                          ",\"reference\":null,\"account\":null,\"state\":\"done\"}]},"
                          "\"journal_seq\":9,\"journal_hash\":\"%s\"}",
                          total, total, total, zero_hash);
  return g_string_free (out, FALSE);
}

/* A note as till-sale-note.c queues it: its own uuid, the sale's beside. */
static char *
note_payload (const char *note_uuid, const char *sale_uuid, const char *text)
{
  return g_strdup_printf (
      "{\"sale_note\":{\"uuid\":\"%s\",\"sale_uuid\":\"%s\",\"kind\":\"note\","
      "\"text\":\"%s\",\"user_id\":1,\"user_code\":\"1001\",\"user_name\":\"王小丽\","
      "\"created_us\":1767225600000000},\"journal_seq\":5,\"journal_hash\":\"%s\"}",
      note_uuid, sale_uuid, text, zero_hash);
}

static char *
make_uuid (guint n)
{
  return g_strdup_printf ("0192f0c4-0000-7000-8000-%012u", n);
}

static TillWireItem *
item_new (gint64 seq, const char *kind, const char *ref, const char *payload)
{
  g_autofree char *sha = till_wire_sha256_hex (payload, strlen (payload));

  return till_wire_item_new (seq, kind, ref, payload, sha);
}

/* Sale @n with seq @n: one line of sku 1000<n % 3>. */
static TillWireItem *
sale_item (gint64 seq, guint n, const char *day)
{
  g_autofree char *uuid = make_uuid (n);
  g_autofree char *sku = g_strdup_printf ("10000%u", n % 3 + 1);
  Line             line = { sku, "可口可乐 500ml", 1000 * (n % 4 + 1), 300 };
  g_autofree char *payload = sale_payload (uuid, day, &line, 1, seq);

  return item_new (seq, "sale", uuid, payload);
}

static TillWireBatch *
batch_new (const HqTill *till, gint64 acked_base, gint64 sent_us)
{
  TillWireBatch *batch = till_wire_batch_new (till->till_id, till->epoch);

  batch->acked_base = acked_base;
  batch->sent_us = sent_us;
  batch->head_seq = 0;
  g_free (batch->head_hash);
  batch->head_hash = g_strdup (zero_hash);
  return batch;
}

/* Sets the batch's journal head to its last item. */
static void
batch_set_head (TillWireBatch *batch)
{
  if (batch->items->len > 0)
    batch->head_seq =
        ((TillWireItem *) g_ptr_array_index (batch->items, batch->items->len - 1))->seq;
}

static TillWireAck *
apply (HqStore *store, const HqTill *till, const TillWireBatch *batch)
{
  g_autoptr (GError) error = NULL;
  TillWireAck *ack = hq_store_apply_batch (store, till, batch, g_get_real_time (), &error);

  ck_assert_msg (ack != NULL, "apply: %s", error ? error->message : "");
  ck_assert_uint_eq (ack->items->len, batch->items->len);
  return ack;
}

static TillWireItemStatus
ack_status (TillWireAck *ack, guint i)
{
  return g_array_index (ack->items, TillWireItemResult, i).status;
}

static gint64
count_documents (HqStore *store, const char *kind, const char *till_id)
{
  g_autoptr (GError) error = NULL;
  gint64 n = hq_store_count_documents (store, kind, till_id, &error);

  ck_assert_msg (n >= 0, "count: %s", error ? error->message : "");
  return n;
}

static guint
count_incidents (HqStore *store, const char *kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_list_incidents (store, 0, &error);
  guint n = 0;

  ck_assert_ptr_nonnull (rows);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (g_strcmp0 (hq_db_rows_get_text (rows, r, 3), kind) == 0)
      n++;
  return n;
}

static gint64
till_acked_through (HqStore *store, const char *till_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_list_tills (store, &error);

  ck_assert_ptr_nonnull (rows);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (g_strcmp0 (hq_db_rows_get_text (rows, r, 0), till_id) == 0)
      return hq_db_rows_get_int (rows, r, 3);
  ck_abort_msg ("no till %s", till_id);
  return -1;
}

/* --- Enrollment ------------------------------------------------------------------ */

/* /hq/store/enroll/token-single-use */
START_TEST (test_token_single_use)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *key = random_key_b64 ();
  g_autoptr (HqEnrollment) first = NULL;
  g_autoptr (HqEnrollment) second = NULL;
  g_autoptr (HqDbRows) hashes = NULL;

  env_open (&env, _i);
  put_chain (env.store);
  secret = hq_store_create_enroll_token (env.store, "S001", 3, G_TIME_SPAN_HOUR, &error);
  ck_assert_ptr_nonnull (secret);
  ck_assert_uint_eq (strlen (secret), 32);
  for (const char *p = secret; *p; p++)
    ck_assert (g_ascii_isxdigit (*p));

  /* Only the hash is kept. */
  hashes = hq_db_query (hq_store_get_db (env.store), "SELECT token_hash FROM enroll_token", NULL, 0,
                        &error);
  ck_assert_ptr_nonnull (hashes);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (hashes), 1);
  ck_assert_str_ne (hq_db_rows_get_text (hashes, 0, 0), secret);
  {
    g_autofree char *expected = till_wire_sha256_hex (secret, strlen (secret));

    ck_assert_str_eq (hq_db_rows_get_text (hashes, 0, 0), expected);
  }

  first = hq_store_enroll (env.store, secret, key, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (first->till_id, "S001-03");
  ck_assert_str_eq (first->store_id, "S001");
  ck_assert_uint_eq (first->epoch, 1);

  second = hq_store_enroll (env.store, secret, key, &error);
  ck_assert_ptr_null (second);
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_TOKEN));
  g_clear_error (&error);

  ck_assert_ptr_null (hq_store_enroll (env.store, "00112233445566778899aabbccddeeff", key, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_TOKEN));
  g_clear_error (&error);

  /* A token for a store HQ does not know is refused at once. */
  ck_assert_ptr_null (
      hq_store_create_enroll_token (env.store, "S999", 1, G_TIME_SPAN_HOUR, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  env_close (&env);
}
END_TEST

/* /hq/store/enroll/token-expiry */
START_TEST (test_token_expiry)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *key = random_key_b64 ();

  env_open (&env, _i);
  put_chain (env.store);
  secret = hq_store_create_enroll_token (env.store, "S002", 1, 1000, &error);
  ck_assert_ptr_nonnull (secret);
  g_usleep (20000);
  ck_assert_ptr_null (hq_store_enroll (env.store, secret, key, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_TOKEN));
  g_clear_error (&error);

  /* A key that is not a raw Ed25519 key is refused, and the token stays usable. */
  g_free (secret);
  secret = hq_store_create_enroll_token (env.store, "S002", 1, G_TIME_SPAN_HOUR, &error);
  ck_assert_ptr_null (hq_store_enroll (env.store, secret, "c2hvcnQ=", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  g_clear_error (&error);
  {
    g_autoptr (HqEnrollment) enrollment = hq_store_enroll (env.store, secret, key, &error);

    ck_assert_ptr_nonnull (enrollment);
    ck_assert_str_eq (enrollment->till_id, "S002-01");
  }
  env_close (&env);
}
END_TEST

/* /hq/store/enroll/re-enroll */
START_TEST (test_re_enroll)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) first = NULL;
  g_autoptr (HqTill) second = NULL;
  g_autoptr (HqTill) again = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;

  env_open (&env, _i);
  put_chain (env.store);
  first = enroll_till (env.store, "S003", 2);
  ck_assert_str_eq (first->till_id, "S003-02");
  ck_assert_str_eq (first->store_id, "S003");
  ck_assert_str_eq (first->group_id, "G2");
  ck_assert_uint_eq (first->epoch, 1);

  second = enroll_till (env.store, "S003", 2);
  ck_assert_str_eq (second->till_id, "S003-02");
  ck_assert_uint_eq (second->epoch, 2);
  ck_assert_str_ne (second->journal_key, first->journal_key);

  /* The first enrollment's certificate no longer opens the door. */
  again = hq_store_find_till_by_certificate (env.store, "S003-02/1", &error);
  ck_assert_ptr_null (again);
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN));
  g_clear_error (&error);
  again = hq_store_find_till_by_certificate (env.store, "S003-02/2", &error);
  ck_assert_ptr_nonnull (again);
  ck_assert_uint_eq (again->epoch, 2);

  /* A batch of the old epoch is refused. */
  batch = batch_new (first, 0, g_get_real_time ());
  g_ptr_array_add (batch->items, sale_item (1, 1, "2026-01-01"));
  ack = hq_store_apply_batch (env.store, first, batch, g_get_real_time (), &error);
  ck_assert_ptr_null (ack);
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN));
  ck_assert_int_eq (count_documents (env.store, NULL, NULL), 0);

  g_clear_error (&error);
  ck_assert (!hq_store_set_till_certificate (env.store, "S009-01", "x", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  env_close (&env);
}
END_TEST

/* --- Push -------------------------------------------------------------------------- */

/* /hq/store/push/ok-duplicate-conflict */
START_TEST (test_push_ok_duplicate_conflict)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) replay = NULL;
  g_autoptr (TillWireBatch) changed = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqDbRows) before = NULL;
  g_autoptr (HqDbRows) after = NULL;
  g_autoptr (HqDbRows) stored = NULL;
  g_autofree char *uuid2 = make_uuid (2);
  TillWireItem    *original2;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);

  batch = batch_new (till, 0, g_get_real_time ());
  for (guint n = 1; n <= 3; n++)
    g_ptr_array_add (batch->items, sale_item (n, n, "2026-01-01"));
  batch_set_head (batch);
  ack = apply (env.store, till, batch);
  for (guint i = 0; i < 3; i++)
    ck_assert_int_eq (ack_status (ack, i), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack->acked_through, 3);
  ck_assert_ptr_null (ack->countersig);
  ck_assert_int_eq (count_documents (env.store, "sale", till->till_id), 3);
  before = hq_store_report_products (env.store, "S001", NULL, NULL, &error);
  ck_assert_ptr_nonnull (before);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* The same batch again (the ack was lost): all duplicates, nothing doubled. */
  replay = batch_new (till, 0, g_get_real_time ());
  for (guint n = 1; n <= 3; n++)
    g_ptr_array_add (replay->items, sale_item (n, n, "2026-01-01"));
  batch_set_head (replay);
  ack = apply (env.store, till, replay);
  for (guint i = 0; i < 3; i++)
    ck_assert_int_eq (ack_status (ack, i), TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_int_eq (ack->acked_through, 3);
  ck_assert_int_eq (count_documents (env.store, "sale", NULL), 3);
  after = hq_store_report_products (env.store, "S001", NULL, NULL, &error);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (after), hq_db_rows_get_n_rows (before));
  for (guint r = 0; r < hq_db_rows_get_n_rows (after); r++)
    {
      ck_assert_int_eq (hq_db_rows_get_int (after, r, 4), hq_db_rows_get_int (before, r, 4));
      ck_assert_int_eq (hq_db_rows_get_int (after, r, 5), hq_db_rows_get_int (before, r, 5));
    }
  g_clear_pointer (&ack, till_wire_ack_free);

  /* Sale 2 again under its key with another payload: a conflict, never an
   * overwrite. */
  original2 = g_ptr_array_index (batch->items, 1);
  changed = batch_new (till, 1, g_get_real_time ());
  {
    Line             line = { "100001", "农夫山泉 饮用天然水 550ml", 9000, 200 };
    g_autofree char *payload = sale_payload (uuid2, "2026-01-01", &line, 1, 2);

    g_ptr_array_add (changed->items, item_new (2, "sale", uuid2, payload));
  }
  ack = apply (env.store, till, changed);
  ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_CONFLICT);
  ck_assert_ptr_nonnull (g_array_index (ack->items, TillWireItemResult, 0).reason);
  ck_assert_int_eq (ack->acked_through, 3);
  ck_assert_uint_eq (count_incidents (env.store, "conflict"), 1);
  {
    HqDbValue param = HQ_DB_V_TEXT (uuid2);

    stored = hq_db_query (hq_store_get_db (env.store),
                          "SELECT payload_sha256, payload FROM document WHERE ref_uuid = $1",
                          &param, 1, &error);
  }
  ck_assert_ptr_nonnull (stored);
  ck_assert_str_eq (hq_db_rows_get_text (stored, 0, 0), original2->sha256);
  ck_assert_str_eq (hq_db_rows_get_text (stored, 0, 1), original2->payload);
  g_clear_pointer (&after, hq_db_rows_free);
  after = hq_store_report_products (env.store, "S001", NULL, NULL, &error);
  for (guint r = 0; r < hq_db_rows_get_n_rows (after); r++)
    ck_assert_int_eq (hq_db_rows_get_int (after, r, 4), hq_db_rows_get_int (before, r, 4));
  env_close (&env);
}
END_TEST

/* /hq/store/push/rejected */
START_TEST (test_push_rejected)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) resend = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autofree char *uuid2 = make_uuid (2);
  g_autofree char *uuid3 = make_uuid (3);
  g_autofree char *uuid5 = make_uuid (5);

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);

  batch = batch_new (till, 0, g_get_real_time ());
  g_ptr_array_add (batch->items, sale_item (1, 1, "2026-01-01"));
  {
    /* Seq 2's payload does not match its hash. */
    TillWireItem *good = sale_item (2, 2, "2026-01-01");

    g_ptr_array_add (batch->items,
                     till_wire_item_new (2, "sale", uuid2, "{\"sale\":{}}", good->sha256));
    till_wire_item_free (good);
  }
  g_ptr_array_add (batch->items,
                   item_new (3, "inventory-count", uuid3, "{\"inventory_count\":{}}"));
  g_ptr_array_add (batch->items, sale_item (4, 4, "2026-01-01"));
  g_ptr_array_add (batch->items, item_new (5, "sale", uuid5, "this is not JSON"));
  batch_set_head (batch);
  ack = apply (env.store, till, batch);
  ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_REJECTED);
  ck_assert_int_eq (ack_status (ack, 2), TILL_WIRE_ITEM_REJECTED);
  ck_assert_int_eq (ack_status (ack, 3), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack_status (ack, 4), TILL_WIRE_ITEM_REJECTED);
  ck_assert_ptr_nonnull (strstr (g_array_index (ack->items, TillWireItemResult, 2).reason, "kind"));
  /* Seq 2 blocks the mark; seq 4 is stored all the same. */
  ck_assert_int_eq (ack->acked_through, 1);
  ck_assert_int_eq (till_acked_through (env.store, till->till_id), 1);
  ck_assert_int_eq (count_documents (env.store, NULL, till->till_id), 2);
  ck_assert_uint_eq (count_incidents (env.store, "rejected"), 3);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* The till resends from 2 with the items mended: the mark runs to the end. */
  resend = batch_new (till, 1, g_get_real_time ());
  g_ptr_array_add (resend->items, sale_item (2, 2, "2026-01-01"));
  g_ptr_array_add (resend->items, sale_item (3, 3, "2026-01-01"));
  g_ptr_array_add (resend->items, sale_item (4, 4, "2026-01-01"));
  g_ptr_array_add (resend->items, sale_item (5, 5, "2026-01-01"));
  batch_set_head (resend);
  ack = apply (env.store, till, resend);
  ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack_status (ack, 2), TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_int_eq (ack_status (ack, 3), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack->acked_through, 5);
  ck_assert_int_eq (count_documents (env.store, "sale", till->till_id), 5);
  env_close (&env);
}
END_TEST

/* /hq/store/push/gap */
START_TEST (test_push_gap)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) first = NULL;
  g_autoptr (TillWireBatch) second = NULL;
  g_autoptr (TillWireAck) ack = NULL;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S002", 4);

  first = batch_new (till, 0, g_get_real_time ());
  for (guint n = 1; n <= 3; n++)
    g_ptr_array_add (first->items, sale_item (n, n, "2026-01-02"));
  batch_set_head (first);
  second = batch_new (till, 0, g_get_real_time ());
  for (guint n = 4; n <= 7; n++)
    g_ptr_array_add (second->items, sale_item (n, n, "2026-01-02"));
  batch_set_head (second);

  /* The second batch overtakes the first: stored, but not acknowledged. */
  ack = apply (env.store, till, second);
  for (guint i = 0; i < 4; i++)
    ck_assert_int_eq (ack_status (ack, i), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack->acked_through, 0);
  ck_assert_int_eq (count_documents (env.store, "sale", till->till_id), 4);
  g_clear_pointer (&ack, till_wire_ack_free);

  ack = apply (env.store, till, first);
  ck_assert_int_eq (ack->acked_through, 7);
  ck_assert_int_eq (till_acked_through (env.store, till->till_id), 7);
  ck_assert_int_eq (count_documents (env.store, "sale", till->till_id), 7);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* The till resends the second batch (it never saw its ack mark move):
   * duplicates, and the mark stays. */
  ack = apply (env.store, till, second);
  for (guint i = 0; i < 4; i++)
    ck_assert_int_eq (ack_status (ack, i), TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_int_eq (ack->acked_through, 7);
  env_close (&env);
}
END_TEST

typedef struct
{
  gint64 quantity;
  gint64 amount;
} Sum;

/* /hq/store/rollup/sums */
START_TEST (test_rollup_sums)
{
  static const char *const skus[] = { "100001", "100002", "100004", "100020" };
  static const char *const names[] = { "农夫山泉 饮用天然水 550ml", "可口可乐 500ml",
                                       "伊利 纯牛奶 250ml", "香蕉" };
  static const char *const days[] = { "2026-01-01", "2026-01-02" };
  Env                      env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (HqTill) other = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) returns = NULL;
  g_autoptr (TillWireBatch) other_batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqDbRows) products = NULL;
  g_autoptr (HqDbRows) day_rows = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  Sum    expected[G_N_ELEMENTS (days)][G_N_ELEMENTS (skus)] = { { { 0 } } };
  gint64 day_total[G_N_ELEMENTS (days)] = { 0 };
  guint  receipts[G_N_ELEMENTS (days)] = { 0 };

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  other = enroll_till (env.store, "S002", 1);

  /* 40 sales of 1–3 random lines over two days. */
  batch = batch_new (till, 0, g_get_real_time ());
  for (guint n = 1; n <= 40; n++)
    {
      guint            d = g_rand_int_range (rand, 0, G_N_ELEMENTS (days));
      guint            n_lines = g_rand_int_range (rand, 1, 4);
      Line             lines[3];
      g_autofree char *uuid = make_uuid (100 + n);
      g_autofree char *payload = NULL;

      for (guint l = 0; l < n_lines; l++)
        {
          guint s = g_rand_int_range (rand, 0, G_N_ELEMENTS (skus));

          lines[l] = (Line){ skus[s], names[s], g_rand_int_range (rand, 1, 5000),
                             g_rand_int_range (rand, 100, 2000) };
          expected[d][s].quantity += lines[l].quantity;
          expected[d][s].amount += line_amount (&lines[l]);
          day_total[d] += line_amount (&lines[l]);
        }
      receipts[d]++;
      payload = sale_payload (uuid, days[d], lines, n_lines, n);
      g_ptr_array_add (batch->items, item_new (n, "sale", uuid, payload));
    }
  batch_set_head (batch);
  ack = apply (env.store, till, batch);
  ck_assert_int_eq (ack->acked_through, 40);
  g_clear_pointer (&ack, till_wire_ack_free);
  /* A replay changes no sum. */
  ack = apply (env.store, till, batch);
  ck_assert_int_eq (ack->acked_through, 40);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* A return of 2 × sku 100002 on day 2, and a sale note, which is no sale. */
  returns = batch_new (till, 40, g_get_real_time ());
  {
    Line             line = { skus[1], names[1], 2000, 300 };
    g_autofree char *uuid = make_uuid (900);
    g_autofree char *sale_uuid = make_uuid (101);
    g_autofree char *payload = return_payload (uuid, sale_uuid, days[1], &line, 1);
    g_autofree char *note_uuid = make_uuid (901);
    g_autofree char *note = note_payload (note_uuid, sale_uuid, "顾客要求开发票");

    g_ptr_array_add (returns->items, item_new (41, "return", uuid, payload));
    g_ptr_array_add (returns->items, item_new (42, "sale-note", note_uuid, note));
    expected[1][1].quantity -= 2000;
    expected[1][1].amount -= 600;
    day_total[1] -= 600;
  }
  batch_set_head (returns);
  ack = apply (env.store, till, returns);
  ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_OK);
  ck_assert_int_eq (ack->acked_through, 42);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* Another store's sale stays in its own store. */
  other_batch = batch_new (other, 0, g_get_real_time ());
  g_ptr_array_add (other_batch->items, sale_item (1, 500, days[0]));
  ack = apply (env.store, other, other_batch);
  ck_assert_int_eq (ack->acked_through, 1);

  products = hq_store_report_products (env.store, "S001", NULL, NULL, &error);
  ck_assert_ptr_nonnull (products);
  for (guint d = 0; d < G_N_ELEMENTS (days); d++)
    for (guint s = 0; s < G_N_ELEMENTS (skus); s++)
      {
        gboolean found = FALSE;

        for (guint r = 0; r < hq_db_rows_get_n_rows (products); r++)
          {
            if (strcmp (hq_db_rows_get_text (products, r, 1), days[d]) != 0 ||
                strcmp (hq_db_rows_get_text (products, r, 2), skus[s]) != 0)
              continue;
            found = TRUE;
            ck_assert_str_eq (hq_db_rows_get_text (products, r, 0), "S001");
            ck_assert_str_eq (hq_db_rows_get_text (products, r, 3), names[s]);
            ck_assert_int_eq (hq_db_rows_get_int (products, r, 4), expected[d][s].quantity);
            ck_assert_int_eq (hq_db_rows_get_int (products, r, 5), expected[d][s].amount);
          }
        if (expected[d][s].quantity != 0 || expected[d][s].amount != 0)
          ck_assert_msg (found, "no row for %s on %s", skus[s], days[d]);
      }

  day_rows = hq_store_report_days (env.store, "S001", NULL, NULL, &error);
  ck_assert_ptr_nonnull (day_rows);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (day_rows), 2);
  for (guint d = 0; d < G_N_ELEMENTS (days); d++)
    {
      ck_assert_str_eq (hq_db_rows_get_text (day_rows, d, 1), days[d]);
      ck_assert_int_eq (hq_db_rows_get_int (day_rows, d, 2), receipts[d]);
      ck_assert_int_eq (hq_db_rows_get_int (day_rows, d, 3), d == 1 ? 1 : 0);
      ck_assert_int_eq (hq_db_rows_get_int (day_rows, d, 4), day_total[d]);
    }
  g_clear_pointer (&day_rows, hq_db_rows_free);

  /* Filters: one day across all stores. */
  day_rows = hq_store_report_days (env.store, NULL, days[0], days[0], &error);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (day_rows), 2);
  ck_assert_str_eq (hq_db_rows_get_text (day_rows, 0, 0), "S001");
  ck_assert_str_eq (hq_db_rows_get_text (day_rows, 1, 0), "S002");
  ck_assert_int_eq (hq_db_rows_get_int (day_rows, 1, 2), 1);
  env_close (&env);
}
END_TEST

/* /hq/store/push/clock-skew-late-arrival */
/* /hq/store/push/statements-bounded: batches of every size from 1 to 60
 * leave a bounded set of prepared statements on the connection. Multi-row
 * statements whose text followed the batch size made one new statement per
 * size (held by hq-db and, on PostgreSQL, by the server) for as long as HQ
 * ran. */
START_TEST (test_statements_bounded)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  gint64 seq = 0;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  for (guint size = 1; size <= 60; size++)
    {
      g_autoptr (TillWireBatch) batch = batch_new (till, seq, g_get_real_time ());
      g_autoptr (TillWireAck) ack = NULL;

      for (guint i = 0; i < size; i++)
        {
          seq++;
          g_ptr_array_add (batch->items, sale_item (seq, (guint) seq, "2026-01-01"));
        }
      batch_set_head (batch);
      ack = apply (env.store, till, batch);
      ck_assert_int_eq (ack->acked_through, seq);
    }
  ck_assert_int_eq (hq_store_count_documents (env.store, "sale", till->till_id, NULL), seq);
  if (hq_db_is_postgres (hq_store_get_db (env.store)))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HqDbRows) rows =
          hq_db_query (hq_store_get_db (env.store), "SELECT count(*) FROM pg_prepared_statements",
                       NULL, 0, &error);

      ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
      ck_assert_int_lt (hq_db_rows_get_int (rows, 0, 0), 40);
    }
  env_close (&env);
}
END_TEST

START_TEST (test_clock_skew_late_arrival)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) later = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqDbRows) tills = NULL;
  g_autoptr (HqDbRows) late = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *today_text = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *yesterday_text = g_date_time_format (yesterday, "%Y-%m-%d");
  gint64           received_us = g_get_real_time ();

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);

  /* The till's clock is 10 minutes slow. */
  batch = batch_new (till, 0, received_us - 10 * G_TIME_SPAN_MINUTE);
  g_ptr_array_add (batch->items, sale_item (1, 1, yesterday_text));
  g_ptr_array_add (batch->items, sale_item (2, 2, today_text));
  batch_set_head (batch);
  ack = hq_store_apply_batch (env.store, till, batch, received_us, &error);
  ck_assert_ptr_nonnull (ack);
  ck_assert_int_eq (ack->server_us, received_us);
  ck_assert_uint_eq (count_incidents (env.store, "clock-skew"), 1);
  tills = hq_store_list_tills (env.store, &error);
  ck_assert_int_eq (hq_db_rows_get_int (tills, 0, 4), received_us);
  ck_assert_int_eq (hq_db_rows_get_int (tills, 0, 5), -10 * G_TIME_SPAN_MINUTE);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* Still off at the next push: no second incident. */
  later = batch_new (till, 2, received_us + G_TIME_SPAN_MINUTE - 10 * G_TIME_SPAN_MINUTE);
  g_ptr_array_add (later->items, sale_item (3, 3, today_text));
  batch_set_head (later);
  ack = hq_store_apply_batch (env.store, till, later, received_us + G_TIME_SPAN_MINUTE, &error);
  ck_assert_ptr_nonnull (ack);
  ck_assert_uint_eq (count_incidents (env.store, "clock-skew"), 1);

  late = hq_db_query (hq_store_get_db (env.store),
                      "SELECT seq, late_arrival FROM document ORDER BY seq", NULL, 0, &error);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (late), 3);
  ck_assert_int_eq (hq_db_rows_get_int (late, 0, 1), 1);
  ck_assert_int_eq (hq_db_rows_get_int (late, 1, 1), 0);
  ck_assert_int_eq (hq_db_rows_get_int (late, 2, 1), 0);
  env_close (&env);
}
END_TEST

/* /hq/store/push/head-regression */
START_TEST (test_head_regression)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) older = NULL;
  g_autoptr (TillWireAck) ack = NULL;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);

  batch = batch_new (till, 0, g_get_real_time ());
  g_ptr_array_add (batch->items, sale_item (1, 1, "2026-01-01"));
  batch->head_seq = 50;
  ack = apply (env.store, till, batch);
  ck_assert_uint_eq (count_incidents (env.store, "head-regression"), 0);
  g_clear_pointer (&ack, till_wire_ack_free);

  /* A replay of that batch is no regression. */
  ack = apply (env.store, till, batch);
  ck_assert_uint_eq (count_incidents (env.store, "head-regression"), 0);
  g_clear_pointer (&ack, till_wire_ack_free);

  older = batch_new (till, 1, g_get_real_time ());
  g_ptr_array_add (older->items, sale_item (2, 2, "2026-01-01"));
  older->head_seq = 20;
  ack = apply (env.store, till, older);
  ck_assert_int_eq (ack->acked_through, 2);
  ck_assert_uint_eq (count_incidents (env.store, "head-regression"), 1);
  env_close (&env);
}
END_TEST

/* --- Master data --------------------------------------------------------------------- */

static JsonObject *
object_from_json (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (text, &error);

  ck_assert_msg (node != NULL, "%s", error ? error->message : "");
  return json_object_ref (json_node_get_object (node));
}

static void
put_item (HqStore *store, const char *sku, const char *name, gint64 price)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf (
      "{\"sku\":\"%s\",\"name\":\"%s\",\"unit\":\"瓶\",\"price\":%" PRId64 "}", sku, name, price);
  g_autoptr (JsonObject) data = object_from_json (text);

  ck_assert_msg (hq_store_put_row (store, "items", sku, "all", data, &error), "%s",
                 error ? error->message : "");
}

static void
put_price (HqStore *store, const char *sku, gint64 price, gint64 from_us, const char *scope)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("{\"sku\":\"%s\",\"price\":%" PRId64
                                           ",\"member_price\":0,\"effective_from_us\":%" PRId64 "}",
                                           sku, price, from_us);
  g_autofree char *id = g_strdup_printf ("%s@%" PRId64, sku, from_us);
  g_autoptr (JsonObject) data = object_from_json (text);

  ck_assert_msg (hq_store_put_row (store, "prices", id, scope, data, &error), "%s",
                 error ? error->message : "");
}

static TillWirePage *
changes (HqStore *store, const HqTill *till, const char *channel, gint64 since, guint limit)
{
  g_autoptr (GError) error = NULL;
  TillWirePage *page = hq_store_get_changes (store, till, channel, since, limit, &error);

  ck_assert_msg (page != NULL, "changes: %s", error ? error->message : "");
  return page;
}

/* HQ's change counter: the version the last put took. */
static gint64
change_counter (HqStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows =
      hq_db_query (hq_store_get_db (store), "SELECT value FROM change_counter", NULL, 0, &error);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  return hq_db_rows_get_int (rows, 0, 0);
}

/* /hq/store/changes/paging */
START_TEST (test_changes_paging)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 cursor = 0;
  gint64 last_version = 0;
  guint  n_pages = 0;
  gint64 total = -2;
  gint64 first_version;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  /* The version counter is HQ's, across channels: the stores' settings
   * took some already. */
  first_version = change_counter (env.store) + 1;
  for (guint n = 1; n <= 7; n++)
    {
      g_autofree char *sku = g_strdup_printf ("1000%02u", n);

      put_item (env.store, sku, "商品", 100 * n);
    }
  /* The same data again is no new version; a change is. */
  put_item (env.store, "100001", "商品", 100);
  put_item (env.store, "100002", "商品 新名", 200);

  for (;;)
    {
      g_autoptr (TillWirePage) page = changes (env.store, till, "items", cursor, 3);

      n_pages++;
      ck_assert_uint_le (page->rows->len + page->tombstones->len, 3);
      for (guint i = 0; i < page->rows->len; i++)
        {
          TillWireRow *row = g_ptr_array_index (page->rows, i);

          ck_assert_int_gt (row->version, last_version);
          last_version = row->version;
          ck_assert_str_eq (row->scope, "all");
          ck_assert_str_eq (json_object_get_string_member (json_node_get_object (row->data), "sku"),
                            row->id);
          ck_assert (!g_hash_table_contains (seen, row->id));
          g_hash_table_add (seen, g_strdup (row->id));
        }
      ck_assert_int_eq (page->next_cursor, last_version);
      cursor = page->next_cursor;
      if (!page->has_more)
        {
          total = page->total;
          break;
        }
      ck_assert_int_eq (page->total, -1);
      ck_assert_uint_eq (page->rows->len, 3);
    }
  ck_assert_uint_eq (n_pages, 3);
  ck_assert_uint_eq (g_hash_table_size (seen), 7);
  ck_assert_int_eq (total, 7);
  ck_assert_int_eq (last_version, first_version + 8 - 1);

  /* Nothing new: an empty page that keeps the cursor. */
  {
    g_autoptr (TillWirePage) page = changes (env.store, till, "items", cursor, 3);

    ck_assert_uint_eq (page->rows->len, 0);
    ck_assert_int_eq (page->next_cursor, cursor);
    ck_assert (!page->has_more);
    ck_assert_int_eq (page->total, 7);
  }
  {
    g_autoptr (GError) error = NULL;

    ck_assert_ptr_null (hq_store_get_changes (env.store, till, "stock", 0, 10, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  }
  env_close (&env);
}
END_TEST

static gboolean
page_has (TillWirePage *page, const char *id, const char *scope)
{
  for (guint i = 0; i < page->rows->len; i++)
    {
      TillWireRow *row = g_ptr_array_index (page->rows, i);

      if (strcmp (row->id, id) == 0 && strcmp (row->scope, scope) == 0)
        return TRUE;
    }
  return FALSE;
}

/* /hq/store/changes/scope */
START_TEST (test_changes_scope)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) s1 = NULL;
  g_autoptr (HqTill) s2 = NULL;
  g_autoptr (HqTill) s3 = NULL;
  g_autoptr (TillWirePage) p1 = NULL;
  g_autoptr (TillWirePage) p2 = NULL;
  g_autoptr (TillWirePage) p3 = NULL;

  env_open (&env, _i);
  put_chain (env.store);
  s1 = enroll_till (env.store, "S001", 1);
  s2 = enroll_till (env.store, "S002", 1);
  s3 = enroll_till (env.store, "S003", 1);
  put_price (env.store, "100002", 300, 0, "all");
  put_price (env.store, "100002", 280, 0, "store:S001");
  put_price (env.store, "100002", 290, 0, "group:G2");

  p1 = changes (env.store, s1, "prices", 0, 100);
  ck_assert_uint_eq (p1->rows->len, 2);
  ck_assert (page_has (p1, "100002@0", "all"));
  ck_assert (page_has (p1, "100002@0", "store:S001"));
  ck_assert_int_eq (p1->total, 2);

  p2 = changes (env.store, s2, "prices", 0, 100);
  ck_assert_uint_eq (p2->rows->len, 1);
  ck_assert (page_has (p2, "100002@0", "all"));
  ck_assert_int_eq (p2->total, 1);

  p3 = changes (env.store, s3, "prices", 0, 100);
  ck_assert_uint_eq (p3->rows->len, 2);
  ck_assert (page_has (p3, "100002@0", "group:G2"));
  ck_assert (!page_has (p3, "100002@0", "store:S001"));

  /* Scopes must name something HQ knows. */
  {
    g_autoptr (JsonObject) data =
        object_from_json ("{\"sku\":\"100002\",\"price\":1,\"effective_from_us\":0}");

    ck_assert (!hq_store_put_row (env.store, "prices", "100002@0", "store:S404", data, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert (!hq_store_put_row (env.store, "prices", "100002@0", "everywhere", data, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
    g_clear_error (&error);
    /* An id that is not sku@effective_from_us. */
    ck_assert (!hq_store_put_row (env.store, "prices", "100002", "all", data, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  }
  env_close (&env);
}
END_TEST

/* /hq/store/changes/tombstones-purge */
START_TEST (test_tombstones_purge)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWirePage) all = NULL;
  g_autoptr (TillWirePage) after = NULL;
  g_autoptr (TillWirePage) reload = NULL;
  g_autoptr (TillWirePage) gone = NULL;
  gint64 cursor;

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  put_item (env.store, "100001", "农夫山泉 饮用天然水 550ml", 200);
  put_item (env.store, "100002", "可口可乐 500ml", 300);
  put_item (env.store, "100003", "康师傅 红烧牛肉面 桶装", 450);
  all = changes (env.store, till, "items", 0, 100);
  cursor = all->next_cursor;
  ck_assert_int_eq (all->total, 3);

  ck_assert (hq_store_delete_row (env.store, "items", "100002", "all", &error));
  /* Deleting it again changes nothing. */
  ck_assert (hq_store_delete_row (env.store, "items", "100002", "all", &error));
  ck_assert (!hq_store_delete_row (env.store, "items", "100999", "all", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  g_clear_error (&error);

  after = changes (env.store, till, "items", cursor, 100);
  ck_assert_uint_eq (after->rows->len, 0);
  ck_assert_uint_eq (after->tombstones->len, 1);
  {
    TillWireRow *tombstone = g_ptr_array_index (after->tombstones, 0);

    ck_assert_str_eq (tombstone->id, "100002");
    ck_assert_ptr_null (tombstone->data);
    ck_assert_int_gt (tombstone->version, cursor);
    ck_assert_int_eq (after->next_cursor, tombstone->version);
  }
  ck_assert_int_eq (after->total, 2);

  /* Purge: a till that had not seen the deletion must reload. */
  ck_assert_int_eq (
      hq_store_purge_tombstones (env.store, g_get_real_time () - G_TIME_SPAN_DAY, &error), 0);
  ck_assert_int_eq (hq_store_purge_tombstones (env.store, g_get_real_time () + 1, &error), 1);
  gone = hq_store_get_changes (env.store, till, "items", cursor, 100, &error);
  ck_assert_ptr_null (gone);
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_GONE));
  g_clear_error (&error);

  /* From 0 (the reload), or from where the deletion was seen, all is well. */
  reload = changes (env.store, till, "items", 0, 100);
  ck_assert_uint_eq (reload->rows->len, 2);
  ck_assert_uint_eq (reload->tombstones->len, 0);
  ck_assert_int_eq (reload->total, 2);
  /* The reload's last cursor is not older than the purge: the next pull
   * from it is answered, not sent back to reload again. */
  {
    g_autoptr (TillWirePage) next =
        hq_store_get_changes (env.store, till, "items", reload->next_cursor, 100, &error);

    ck_assert_msg (next != NULL, "%s", error != NULL ? error->message : "");
    ck_assert_uint_eq (next->rows->len, 0);
  }
  {
    g_autoptr (TillWirePage) current = changes (env.store, till, "items", after->next_cursor, 100);

    ck_assert_uint_eq (current->rows->len, 0);
  }
  /* Other channels keep their cursors. */
  {
    g_autoptr (TillWirePage) prices = changes (env.store, till, "prices", 1, 100);

    ck_assert_uint_eq (prices->rows->len, 0);
  }
  env_close (&env);
}
END_TEST

static void
assert_pin_verifier (JsonObject *user, const char *pin)
{
  const char        *salt_b64 = json_object_get_string_member (user, "pin_salt");
  const char        *hash_b64 = json_object_get_string_member (user, "pin_hash");
  gsize              salt_len = 0, hash_len = 0;
  g_autofree guchar *salt = g_base64_decode (salt_b64, &salt_len);
  g_autofree guchar *hash = g_base64_decode (hash_b64, &hash_len);
  guint8             computed[32];

  ck_assert_str_eq (json_object_get_string_member (user, "kdf"), "scrypt:16384:8:1");
  ck_assert (!json_object_has_member (user, "pin"));
  ck_assert_uint_eq (salt_len, 16);
  ck_assert_uint_eq (hash_len, 32);
  ck_assert_int_eq (EVP_PBE_scrypt (pin, strlen (pin), salt, salt_len, 16384, 8, 1,
                                    64 * 1024 * 1024, computed, sizeof computed),
                    1);
  ck_assert_mem_eq (computed, hash, 32);
}

/* /hq/store/master/users-pin */
START_TEST (test_users_pin)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWirePage) page = NULL;
  g_autoptr (JsonObject) user = object_from_json ("{\"code\":\"1001\",\"name\":\"王小丽\",\"role\":"
                                                  "\"cashier\",\"active\":true,\"pin\":\"1234\"}");
  g_autoptr (JsonObject) bad = object_from_json (
      "{\"code\":\"1002\",\"name\":\"张三\",\"role\":\"cashier\",\"pin\":\"12a4\"}");
  g_autoptr (JsonObject) bad_role = object_from_json (
      "{\"code\":\"1003\",\"name\":\"李四\",\"role\":\"owner\",\"pin\":\"1234\"}");

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  ck_assert (hq_store_put_row (env.store, "users", "1001", "all", user, &error));
  /* The caller's object is left as it was. */
  ck_assert (json_object_has_member (user, "pin"));
  ck_assert (!hq_store_put_row (env.store, "users", "1002", "all", bad, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!hq_store_put_row (env.store, "users", "1003", "all", bad_role, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  g_clear_error (&error);

  page = changes (env.store, till, "users", 0, 100);
  ck_assert_uint_eq (page->rows->len, 1);
  assert_pin_verifier (
      json_node_get_object (((TillWireRow *) g_ptr_array_index (page->rows, 0))->data), "1234");
  env_close (&env);
}
END_TEST

/* /hq/store/import/demo */
START_TEST (test_import_demo)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = till_test_source_path ("data/hq-demo.json");
  g_autoptr (HqTill) till = NULL;
  g_autoptr (HqTill) other = NULL;
  g_autoptr (TillWirePage) items = NULL;
  g_autoptr (TillWirePage) prices = NULL;
  g_autoptr (TillWirePage) other_prices = NULL;
  g_autoptr (TillWirePage) users = NULL;
  g_autoptr (TillWirePage) categories = NULL;
  g_autoptr (TillWirePage) promotions = NULL;
  g_autoptr (TillWirePage) members = NULL;
  g_autoptr (TillWirePage) settings = NULL;
  gboolean future = FALSE;
  gboolean coke = FALSE;
  guint    n_rows = 0;

  env_open (&env, _i);
  ck_assert_msg (hq_store_import_file (env.store, path, &n_rows, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_gt (n_rows, 40);
  till = enroll_till (env.store, "S001", 1);
  other = enroll_till (env.store, "S003", 1);

  items = changes (env.store, till, "items", 0, 1000);
  ck_assert_uint_ge (items->rows->len, 30);
  for (guint i = 0; i < items->rows->len; i++)
    {
      TillWireRow *row = g_ptr_array_index (items->rows, i);
      JsonObject  *item = json_node_get_object (row->data);

      if (strcmp (row->id, "100002") == 0)
        {
          JsonArray *barcodes = json_object_get_array_member (item, "barcodes");

          coke = TRUE;
          ck_assert_str_eq (json_object_get_string_member (item, "name"), "可口可乐 500ml");
          ck_assert_uint_eq (json_array_get_length (barcodes), 1);
          ck_assert_str_eq (json_array_get_string_element (barcodes, 0), "6911122100001");
        }
    }
  ck_assert (coke);

  prices = changes (env.store, till, "prices", 0, 1000);
  other_prices = changes (env.store, other, "prices", 0, 1000);
  ck_assert_uint_gt (prices->rows->len, 0);
  /* A price change shipped ahead: one sku with a second, later price. */
  for (guint i = 0; i < prices->rows->len; i++)
    for (guint j = 0; j < prices->rows->len; j++)
      {
        TillWireRow *a = g_ptr_array_index (prices->rows, i);
        TillWireRow *b = g_ptr_array_index (prices->rows, j);
        JsonObject  *a_data = json_node_get_object (a->data);
        JsonObject  *b_data = json_node_get_object (b->data);

        if (strcmp (json_object_get_string_member (a_data, "sku"),
                    json_object_get_string_member (b_data, "sku")) == 0 &&
            json_object_get_int_member (a_data, "effective_from_us") >
                json_object_get_int_member (b_data, "effective_from_us"))
          future = TRUE;
      }
  ck_assert (future);
  /* S001 has a store price that S003 (another group) does not see. */
  ck_assert (prices->rows->len != other_prices->rows->len);

  users = changes (env.store, till, "users", 0, 100);
  ck_assert_uint_eq (users->rows->len, 2);
  for (guint i = 0; i < users->rows->len; i++)
    {
      TillWireRow *row = g_ptr_array_index (users->rows, i);

      assert_pin_verifier (json_node_get_object (row->data),
                           strcmp (row->id, "1001") == 0 ? "1234" : "9999");
    }
  categories = changes (env.store, till, "categories", 0, 100);
  ck_assert_uint_gt (categories->rows->len, 5);
  promotions = changes (env.store, till, "promotions", 0, 100);
  ck_assert_uint_eq (promotions->rows->len, 2);
  members = changes (env.store, till, "members", 0, 100);
  ck_assert_uint_eq (members->rows->len, 2);
  settings = changes (env.store, till, "settings", 0, 100);
  ck_assert_uint_gt (settings->rows->len, 0);

  /* Importing the same file again makes no new versions, bar the users
   * (a PIN in clear gets a new salt each time). */
  {
    g_autoptr (TillWirePage) again = NULL;

    ck_assert (hq_store_import_file (env.store, path, NULL, &error));
    again = changes (env.store, till, "items", items->next_cursor, 1000);
    ck_assert_uint_eq (again->rows->len, 0);
  }
  env_close (&env);
}
END_TEST

/* /hq/store/import/bad-row */
START_TEST (test_import_bad_row)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (HqDbRows) groups = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  const char *text = "{\"groups\":[{\"id\":\"G9\",\"name\":\"华北区\"}],"
                     "\"stores\":[{\"id\":\"S901\",\"name\":\"北京店\",\"group\":\"G9\"}],"
                     "\"items\":[{\"sku\":\"1\",\"name\":\"甲\",\"price\":100},"
                     "{\"sku\":\"2\",\"name\":\"乙\",\"price\":200},"
                     "{\"sku\":\"3\",\"name\":\"丙\"}]}";

  env_open (&env, _i);
  path = g_build_filename (env.dir, "bad.json", NULL);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  ck_assert (!hq_store_import_file (env.store, path, NULL, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  ck_assert_msg (strstr (error->message, "items[2]") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "price") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* All or nothing: not even the group went in. */
  groups =
      hq_db_query (hq_store_get_db (env.store), "SELECT count(*) FROM hq_group", NULL, 0, &error);
  ck_assert_int_eq (hq_db_rows_get_int (groups, 0, 0), 0);
  rows =
      hq_db_query (hq_store_get_db (env.store), "SELECT count(*) FROM master_row", NULL, 0, &error);
  ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 0), 0);

  /* An unknown section is named too. */
  ck_assert (g_file_set_contents (path, "{\"itemz\":[]}", -1, NULL));
  ck_assert (!hq_store_import_file (env.store, path, NULL, &error));
  ck_assert_msg (strstr (error->message, "itemz") != NULL, "%s", error->message);
  env_close (&env);
}
END_TEST

/* --- The store's group, told to its tills ---------------------------------------- */

/* The "store.group" settings row of @store_id as HQ holds it: its version
 * (0: none) and its value (NULL when none or a tombstone). */
static gint64
store_group_row (HqStore *store, const char *store_id, char **out_value)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scope = g_strconcat ("store:", store_id, NULL);
  g_autoptr (HqDbRows) rows = hq_store_list_rows (store, "settings", scope, &error);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  *out_value = NULL;
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (g_strcmp0 (hq_db_rows_get_text (rows, r, 0), "store.group") == 0)
      {
        g_autoptr (JsonObject) data = object_from_json (hq_db_rows_get_text (rows, r, 3));

        ck_assert_str_eq (json_object_get_string_member (data, "key"), "store.group");
        *out_value = g_strdup (json_object_get_string_member (data, "value"));
        return hq_db_rows_get_int (rows, r, 2);
      }
  return 0;
}

/* The value of the "store.group" row on @page, or NULL when the page has
 * none; the row is scoped to @till's store. */
static char *
page_store_group (TillWirePage *page, const HqTill *till)
{
  g_autofree char *scope = g_strconcat ("store:", till->store_id, NULL);
  char            *value = NULL;

  for (guint i = 0; i < page->rows->len; i++)
    {
      TillWireRow *row = g_ptr_array_index (page->rows, i);

      if (strcmp (row->id, "store.group") != 0)
        continue;
      ck_assert_str_eq (row->scope, scope);
      ck_assert_ptr_null (value);
      value = g_strdup (json_object_get_string_member (json_node_get_object (row->data), "value"));
    }
  return value;
}

/* /hq/store/stores/group-setting: putting a store keeps its "store.group"
 * setting row (scope store:<id>) in the same transaction: the group's id,
 * "" for none; a new version when the group changes and only then; each
 * till pulls its own store's row; a failed move leaves it; nobody else may
 * put or delete it. */
START_TEST (test_store_group_setting)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) s1 = NULL;
  g_autoptr (HqTill) moved = NULL;
  g_autofree char *value = NULL;
  g_autofree char *fingerprint = NULL;
  gint64           version;
  gint64           cursor;

  env_open (&env, _i);
  put_chain (env.store);
  ck_assert (hq_store_put_store (env.store, "S004", "开心便利店 杭州店", NULL, &error));

  version = store_group_row (env.store, "S001", &value);
  ck_assert_int_gt (version, 0);
  ck_assert_str_eq (value, "G1");
  g_clear_pointer (&value, g_free);
  ck_assert_int_gt (store_group_row (env.store, "S003", &value), 0);
  ck_assert_str_eq (value, "G2");
  g_clear_pointer (&value, g_free);
  ck_assert_int_gt (store_group_row (env.store, "S004", &value), 0);
  ck_assert_str_eq (value, "");
  g_clear_pointer (&value, g_free);

  /* The till of S001 pulls its store's row, and no other store's. */
  s1 = enroll_till (env.store, "S001", 1);
  {
    g_autoptr (TillWirePage) page = changes (env.store, s1, "settings", 0, 100);

    value = page_store_group (page, s1);
    ck_assert_str_eq (value, "G1");
    g_clear_pointer (&value, g_free);
    ck_assert_int_eq (page->total, 1);
    cursor = page->next_cursor;
  }

  /* The same group again, or a new name, is no new version. */
  ck_assert (hq_store_put_store (env.store, "S001", "开心便利店 世纪大道店", "G1", &error));
  ck_assert (hq_store_put_store (env.store, "S001", "开心便利店 世纪大道旗舰店", "G1", &error));
  ck_assert_int_eq (store_group_row (env.store, "S001", &value), version);
  g_clear_pointer (&value, g_free);
  /* Nor is a group added or renamed. */
  ck_assert (hq_store_put_group (env.store, "G3", "华北区", &error));
  ck_assert (hq_store_put_group (env.store, "G1", "华东一区", &error));
  ck_assert_int_eq (store_group_row (env.store, "S001", &value), version);
  g_clear_pointer (&value, g_free);

  /* A move is a new version the till pulls after its cursor, and HQ's
   * pull then filters by the new group. */
  ck_assert (hq_store_put_store (env.store, "S001", "开心便利店 世纪大道旗舰店", "G2", &error));
  ck_assert_int_gt (store_group_row (env.store, "S001", &value), version);
  ck_assert_str_eq (value, "G2");
  g_clear_pointer (&value, g_free);
  version = store_group_row (env.store, "S001", &value);
  g_clear_pointer (&value, g_free);
  {
    g_autoptr (TillWirePage) page = changes (env.store, s1, "settings", cursor, 100);

    value = page_store_group (page, s1);
    ck_assert_str_eq (value, "G2");
    g_clear_pointer (&value, g_free);
    cursor = page->next_cursor;
  }
  fingerprint = g_strdup_printf ("%s/%u", s1->till_id, s1->epoch);
  moved = hq_store_find_till_by_certificate (env.store, fingerprint, &error);
  ck_assert_ptr_nonnull (moved);
  ck_assert_str_eq (moved->group_id, "G2");

  /* A move to a group that does not exist fails whole: the row stays. */
  ck_assert (!hq_store_put_store (env.store, "S001", "开心便利店", "G404", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert_int_eq (store_group_row (env.store, "S001", &value), version);
  ck_assert_str_eq (value, "G2");
  g_clear_pointer (&value, g_free);

  /* Out of every group: "". */
  ck_assert (hq_store_put_store (env.store, "S001", "开心便利店", NULL, &error));
  ck_assert_int_gt (store_group_row (env.store, "S001", &value), version);
  ck_assert_str_eq (value, "");
  g_clear_pointer (&value, g_free);
  {
    g_autoptr (TillWirePage) page = changes (env.store, s1, "settings", cursor, 100);

    value = page_store_group (page, s1);
    ck_assert_str_eq (value, "");
    g_clear_pointer (&value, g_free);
  }

  /* HQ's own: not to be put, deleted or imported by hand. */
  {
    g_autoptr (JsonObject) data = object_from_json ("{\"key\":\"store.group\",\"value\":\"G1\"}");
    g_autofree char *path = g_build_filename (env.dir, "group.json", NULL);

    ck_assert (
        !hq_store_put_row (env.store, "settings", "store.group", "store:S001", data, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert (!hq_store_delete_row (env.store, "settings", "store.group", "store:S001", &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert (g_file_set_contents (path,
                                    "{\"settings\":[{\"key\":\"store.group\",\"value\":\"G1\","
                                    "\"scope\":\"store:S001\"}]}",
                                    -1, NULL));
    ck_assert (!hq_store_import_file (env.store, path, NULL, &error));
    ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
    ck_assert_msg (strstr (error->message, "settings[0]") != NULL, "%s", error->message);
    ck_assert_str_eq (store_group_row (env.store, "S001", &value) > 0 ? value : "?", "");
    g_clear_pointer (&value, g_free);
  }
  env_close (&env);
}
END_TEST

/* /hq/store/stores/group-setting-migration: a database from before the
 * store.group rows gets one for each store when opened, with versions
 * above every version it had, in the form a put writes (putting the store
 * again makes no new version). */
START_TEST (test_store_group_migration)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;
  HqDb            *db;
  gint64           counter;
  gint64           s1_version;
  gint64           s3_version;

  env_open (&env, _i);
  put_chain (env.store);
  put_item (env.store, "100001", "商品", 100);
  /* Back to schema 1: no store.group rows. */
  db = hq_store_get_db (env.store);
  ck_assert (hq_db_exec (db, "DELETE FROM master_row WHERE id = 'store.group'", &error));
  ck_assert (hq_db_exec (db, "DELETE FROM schema_version WHERE version > 1", &error));
  /* and none of the later migrations' tables */
  ck_assert (hq_db_exec (db, "DROP TABLE z_report", &error));
  counter = change_counter (env.store);
  ck_assert_int_eq (store_group_row (env.store, "S001", &value), 0);
  g_clear_object (&env.store);

  env.store = hq_store_open (env.location, &error);
  ck_assert_msg (env.store != NULL, "%s", error ? error->message : "");
  s1_version = store_group_row (env.store, "S001", &value);
  ck_assert_int_gt (s1_version, counter);
  ck_assert_str_eq (value, "G1");
  g_clear_pointer (&value, g_free);
  s3_version = store_group_row (env.store, "S003", &value);
  ck_assert_int_gt (s3_version, counter);
  ck_assert_int_ne (s3_version, s1_version);
  ck_assert_str_eq (value, "G2");
  g_clear_pointer (&value, g_free);
  ck_assert_int_eq (change_counter (env.store), counter + 3);

  ck_assert (hq_store_put_store (env.store, "S001", "开心便利店 世纪大道店", "G1", &error));
  ck_assert_int_eq (store_group_row (env.store, "S001", &value), s1_version);
  g_clear_pointer (&value, g_free);
  put_item (env.store, "100001", "商品 新名", 100);
  ck_assert_int_eq (change_counter (env.store), counter + 4);
  env_close (&env);
}
END_TEST

/* --- Promotions ------------------------------------------------------------------ */

#define PROMOTION_THRESHOLD                                                                   \
  "{\"code\":\"P100\",\"name\":\"满100减10\",\"kind\":\"threshold\",\"priority\":5,"        \
  "\"stacking\":\"exclusive-group\",\"stacking_group\":\"满减\","                           \
  "\"tiers\":[{\"min_amount\":10000,\"amount_off\":1000}],\"weekdays\":[6,7],"                \
  "\"windows\":[{\"start\":\"22:00\",\"end\":\"02:00\"}],\"valid_from_us\":1767196800000000," \
  "\"valid_until_us\":1798732800000000}"
#define PROMOTION_NTH                                                                     \
  "{\"code\":\"P200\",\"name\":\"第二件半价\",\"kind\":\"nth-item\",\"nth_item\":2," \
  "\"percent_bp\":5000,\"skus\":[\"100002\"],\"bundle\":null,\"member_only\":false,"      \
  "\"priority\":-1}"

static JsonNode *
node_from_json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  ck_assert_msg (node != NULL, "%s", error ? error->message : "");
  return node;
}

static gint64
count_master_rows (HqStore *store, const char *channel)
{
  g_autoptr (GError) error = NULL;
  HqDbValue param = HQ_DB_V_TEXT (channel);
  g_autoptr (HqDbRows) rows =
      hq_db_query (hq_store_get_db (store), "SELECT count(*) FROM master_row WHERE channel = $1",
                   &param, 1, &error);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  return hq_db_rows_get_int (rows, 0, 0);
}

/* /hq/store/promotions/set-list-remove: promotions set for a group reach
 * the tills of that group's stores only, a second set is an update, and a
 * removal is a tombstone those tills pull. */
START_TEST (test_promotions_set_list_remove)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) s1 = NULL;
  g_autoptr (HqTill) s3 = NULL;
  g_autoptr (JsonNode) both = node_from_json ("[" PROMOTION_THRESHOLD "," PROMOTION_NTH "]");
  g_autoptr (TillWirePage) p1 = NULL;
  g_autoptr (TillWirePage) p3 = NULL;
  g_autoptr (HqDbRows) listed = NULL;
  guint n_set = 0;

  env_open (&env, _i);
  put_chain (env.store);
  s1 = enroll_till (env.store, "S001", 1);
  s3 = enroll_till (env.store, "S003", 1);

  ck_assert_msg (hq_store_set_promotions (env.store, both, "group:G1", &n_set, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_eq (n_set, 2);

  listed = hq_store_list_rows (env.store, "promotions", NULL, &error);
  ck_assert_msg (listed != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (hq_db_rows_get_n_rows (listed), 2);
  ck_assert_str_eq (hq_db_rows_get_text (listed, 0, 0), "P100");
  ck_assert_str_eq (hq_db_rows_get_text (listed, 0, 1), "group:G1");
  ck_assert_str_eq (hq_db_rows_get_text (listed, 1, 0), "P200");
  ck_assert_ptr_nonnull (strstr (hq_db_rows_get_text (listed, 1, 3), "第二件半价"));
  g_clear_pointer (&listed, hq_db_rows_free);

  /* A store of G1 gets them as the till reads them; a store of G2 does not. */
  p1 = changes (env.store, s1, "promotions", 0, 100);
  ck_assert_uint_eq (p1->rows->len, 2);
  ck_assert (page_has (p1, "P100", "group:G1"));
  ck_assert (page_has (p1, "P200", "group:G1"));
  {
    TillWireRow *row = g_ptr_array_index (p1->rows, 0);
    JsonObject  *data = json_node_get_object (row->data);

    ck_assert_str_eq (json_object_get_string_member (data, "kind"), "threshold");
    ck_assert_int_eq (json_object_get_int_member (data, "valid_until_us"), 1798732800000000);
    ck_assert (!json_object_has_member (data, "scope"));
  }
  p3 = changes (env.store, s3, "promotions", 0, 100);
  ck_assert_uint_eq (p3->rows->len, 0);
  ck_assert_int_eq (p3->total, 0);

  /* A filter by scope, checked as any scope. */
  listed = hq_store_list_rows (env.store, "promotions", "store:S001", &error);
  ck_assert_msg (listed != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (hq_db_rows_get_n_rows (listed), 0);
  g_clear_pointer (&listed, hq_db_rows_free);
  ck_assert_ptr_null (hq_store_list_rows (env.store, "promotions", "group:G404", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  g_clear_error (&error);

  /* Setting one again with other figures is an update: one new version. */
  {
    g_autoptr (JsonNode) changed = node_from_json (
        "{\"code\":\"P200\",\"name\":\"第二件七折\",\"kind\":\"nth-item\",\"nth_item\":2,"
        "\"percent_bp\":3000,\"skus\":[\"100002\"],\"scope\":\"group:G1\"}");
    g_autoptr (TillWirePage) update = NULL;
    TillWireRow *row;

    /* No scope asked for: the promotion's own. */
    ck_assert_msg (hq_store_set_promotions (env.store, changed, NULL, &n_set, &error), "%s",
                   error ? error->message : "");
    ck_assert_uint_eq (n_set, 1);
    update = changes (env.store, s1, "promotions", p1->next_cursor, 100);
    ck_assert_uint_eq (update->rows->len, 1);
    row = g_ptr_array_index (update->rows, 0);
    ck_assert_str_eq (row->id, "P200");
    ck_assert_int_eq (json_object_get_int_member (json_node_get_object (row->data), "percent_bp"),
                      3000);
    ck_assert_int_eq (update->total, 2);
  }

  /* Removed from every scope it is in: a tombstone for the G1 till. */
  {
    g_auto (GStrv) removed = hq_store_remove_promotion (env.store, "P200", NULL, &error);
    g_autoptr (TillWirePage) after = NULL;

    ck_assert_msg (removed != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (g_strv_length (removed), 1);
    ck_assert_str_eq (removed[0], "group:G1");
    after = changes (env.store, s1, "promotions", p1->next_cursor, 100);
    ck_assert_uint_eq (after->tombstones->len, 1);
    ck_assert_str_eq (((TillWireRow *) g_ptr_array_index (after->tombstones, 0))->id, "P200");
    ck_assert_int_eq (after->total, 1);
  }
  /* Gone: removing it again, or from a scope it is not in, says so. */
  ck_assert_ptr_null (hq_store_remove_promotion (env.store, "P200", NULL, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert_ptr_null (hq_store_remove_promotion (env.store, "P100", "all", &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "P100"));
  g_clear_error (&error);
  listed = hq_store_list_rows (env.store, "promotions", NULL, &error);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (listed), 1);
  ck_assert_str_eq (hq_db_rows_get_text (listed, 0, 0), "P100");
  env_close (&env);
}
END_TEST

/* What HQ refuses, each with the reason; the message names the member. */
static const struct
{
  const char *json;
  const char *expected; /* in the message */
} bad_promotions[] = {
  { "{\"name\":\"无码\",\"kind\":\"gift\"}", "code" },
  { "{\"code\":\"\",\"name\":\"空码\",\"kind\":\"gift\"}", "code" },
  { "{\"code\":\"B1\",\"kind\":\"gift\"}", "name" },
  { "{\"code\":\"B1\",\"name\":\"\",\"kind\":\"gift\"}", "name" },
  { "{\"code\":\"B1\",\"name\":\"满减\",\"kind\":\"spend-threshold\"}", "spend-threshold" },
  { "{\"code\":\"B1\",\"name\":\"满减\"}", "kind" },
  { "{\"code\":\"B1\",\"name\":\"满减\",\"kind\":\"threshold\",\"stacking\":\"alone\"}",
    "stacking" },
  { "{\"code\":\"B1\",\"name\":\"八折\",\"kind\":\"percent-off\",\"percent_bp\":-5}",
    "percent_bp" },
  { "{\"code\":\"B1\",\"name\":\"八折\",\"kind\":\"percent-off\",\"percent_bp\":20.5}",
    "percent_bp" },
  { "{\"code\":\"B1\",\"name\":\"八折\",\"kind\":\"percent-off\",\"percent_bp\":12000}",
    "percent_bp" },
  { "{\"code\":\"B1\",\"name\":\"一口价\",\"kind\":\"fixed-price\",\"fixed_price\":\"9.90\"}",
    "fixed_price" },
  { "{\"code\":\"B1\",\"name\":\"八折\",\"kind\":\"percent-off\",\"discount_bp\":2000}",
    "discount_bp" },
  { "{\"code\":\"B1\",\"name\":\"满减\",\"kind\":\"threshold\",\"valid_from_us\":200,"
    "\"valid_until_us\":100}",
    "valid_until_us" },
  { "{\"code\":\"B1\",\"name\":\"满减\",\"kind\":\"threshold\",\"valid_from_us\":200,"
    "\"valid_until_us\":200}",
    "valid_until_us" },
  { "{\"code\":\"B1\",\"name\":\"满减\",\"kind\":\"threshold\","
    "\"tiers\":[{\"min_amount\":100,\"amount_off\":-1}]}",
    "tiers" },
  { "{\"code\":\"B1\",\"name\":\"周末\",\"kind\":\"sale-discount\",\"weekdays\":[0]}", "weekdays" },
  { "{\"code\":\"B1\",\"name\":\"夜场\",\"kind\":\"sale-discount\","
    "\"windows\":[{\"start\":\"22:00\",\"end\":\"25:00\"}]}",
    "windows" },
  { "{\"code\":\"B1\",\"name\":\"组合\",\"kind\":\"bundle\",\"bundle\":[{\"sku\":\"1\"}]}",
    "bundle" },
  { "{\"code\":\"B1\",\"name\":\"会员\",\"kind\":\"member-price\",\"member_only\":1}",
    "member_only" },
  { "{\"code\":\"B1\",\"name\":\"品牌\",\"kind\":\"percent-off\",\"brands\":\"可口可乐\"}",
    "brands" },
  { "{\"code\":\"B1\",\"name\":\"互斥\",\"kind\":\"gift\",\"stacking\":\"exclusive-group\"}",
    "stacking_group" },
  { "{\"code\":\"B1\",\"name\":\"门店\",\"kind\":\"gift\",\"scope\":\"store:S404\"}", "S404" },
  { "[]", "promotion" },
  { "42", "promotion" },
};

/* /hq/store/promotions/refused: each bad promotion is refused with its
 * reason, named by its place in the list and its code, and nothing of the
 * list is saved, not even the good promotion before it. */
START_TEST (test_promotions_refused)
{
  Env env = { 0 };

  env_open (&env, _i);
  put_chain (env.store);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_promotions); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *list = NULL;
      g_autoptr (JsonNode) node = NULL;

      /* Alone. */
      node = node_from_json (bad_promotions[i].json);
      ck_assert_msg (!hq_store_set_promotions (env.store, node, NULL, NULL, &error), "accepted: %s",
                     bad_promotions[i].json);
      ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
      ck_assert_msg (strstr (error->message, bad_promotions[i].expected) != NULL,
                     "“%s” not in “%s”", bad_promotions[i].expected, error->message);
      g_clear_error (&error);
      g_clear_pointer (&node, json_node_unref);

      /* Second in a list, after a good one. */
      if (bad_promotions[i].json[0] != '{')
        continue;
      list = g_strconcat ("[" PROMOTION_NTH ",", bad_promotions[i].json, "]", NULL);
      node = node_from_json (list);
      ck_assert (!hq_store_set_promotions (env.store, node, "all", NULL, &error));
      ck_assert_msg (strstr (error->message, "promotions[1]") != NULL, "%s", error->message);
      ck_assert_msg (strstr (error->message, bad_promotions[i].expected) != NULL, "%s",
                     error->message);
      if (strstr (bad_promotions[i].json, "\"code\":\"B1\"") != NULL)
        ck_assert_msg (strstr (error->message, "B1") != NULL, "%s", error->message);
    }
  ck_assert_int_eq (count_master_rows (env.store, "promotions"), 0);

  /* A scope that names nothing, or one that is not the promotion's own. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = node_from_json (PROMOTION_NTH);
    g_autoptr (JsonNode) scoped = node_from_json (
        "{\"code\":\"P300\",\"name\":\"赠品\",\"kind\":\"gift\",\"scope\":\"store:S001\"}");

    ck_assert (!hq_store_set_promotions (env.store, node, "group:G404", NULL, &error));
    ck_assert_msg (strstr (error->message, "G404") != NULL, "%s", error->message);
    g_clear_error (&error);
    ck_assert (!hq_store_set_promotions (env.store, scoped, "group:G1", NULL, &error));
    ck_assert_msg (strstr (error->message, "store:S001") != NULL, "%s", error->message);
    g_clear_error (&error);
    /* The same code twice for one scope. */
    g_clear_pointer (&node, json_node_unref);
    node = node_from_json ("[" PROMOTION_NTH "," PROMOTION_NTH "]");
    ck_assert (!hq_store_set_promotions (env.store, node, "all", NULL, &error));
    ck_assert_msg (strstr (error->message, "twice") != NULL, "%s", error->message);
  }
  ck_assert_int_eq (count_master_rows (env.store, "promotions"), 0);
  env_close (&env);
}
END_TEST

/* /hq/store/promotions/import-checked: import puts promotions through the
 * same checks, and refuses the whole file for one bad promotion. */
START_TEST (test_promotions_import_checked)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  const char      *text = "{\"groups\":[{\"id\":\"G9\",\"name\":\"华北区\"}],"
                          "\"promotions\":[" PROMOTION_NTH ","
                          "{\"code\":\"P9\",\"name\":\"满减\",\"kind\":\"threshold\","
                          "\"min_spend\":5000,\"scope\":\"group:G9\"}]}";

  env_open (&env, _i);
  path = g_build_filename (env.dir, "promotions.json", NULL);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  ck_assert (!hq_store_import_file (env.store, path, NULL, &error));
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID));
  ck_assert_msg (strstr (error->message, "promotions[1]") != NULL &&
                     strstr (error->message, "P9") != NULL &&
                     strstr (error->message, "min_spend") != NULL,
                 "%s", error->message);
  ck_assert_int_eq (count_master_rows (env.store, "promotions"), 0);
  env_close (&env);
}
END_TEST

/* --- Shifts and Z reports (issue 10) --------------------------------------------- */

/* A closed shift's report as src/core/till-shift.c queues it. */
static char *
shift_payload (const char *uuid, gint64 journal_seq)
{
  return g_strdup_printf (
      "{\"shift\":{\"uuid\":\"%s\",\"day_uuid\":\"0192f0c4-0000-7000-8000-0000000d0001\","
      "\"till_id\":\"S001-01\",\"user_code\":\"1001\",\"user_name\":\"王小丽\","
      "\"opened_us\":1767225600000000,\"closed_us\":1767254400000000,\"opening_float\":20000,"
      "\"counted\":45100,\"expected\":45000,\"variance\":100,\"handover\":false,"
      "\"variance_reason\":null,\"approved_by\":null,"
      "\"totals\":{\"sales\":{\"count\":12,\"amount\":31000}}},"
      "\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%s\"}",
      uuid, journal_seq, zero_hash);
}

static char *
cash_movement_payload (const char *uuid, const char *shift_uuid, gint64 journal_seq)
{
  return g_strdup_printf (
      "{\"cash_movement\":{\"uuid\":\"%s\",\"shift_uuid\":\"%s\",\"kind\":\"out\","
      "\"amount\":5000,\"reason\":\"付送水费\",\"user_code\":\"1001\",\"approved_by\":null,"
      "\"created_us\":1767240000000000},\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%s\"}",
      uuid, shift_uuid, journal_seq, zero_hash);
}

/* Z report @z_no of S001-01 closing day 2026-01-0<z_no>; @uuid NULL leaves
 * the uuid out. */
static char *
z_payload (const char *uuid,
           gint64      z_no,
           gint64      sales_total,
           gint64      returns_total,
           gint64      grand_total,
           gint64      journal_seq)
{
  g_autofree char *uuid_member =
      uuid != NULL ? g_strdup_printf ("\"uuid\":\"%s\",", uuid) : g_strdup ("");

  return g_strdup_printf ("{\"z_report\":{%s\"z_no\":%" PRId64
                          ",\"day_uuid\":\"0192f0c4-0000-7000-8000-0000000d%04" PRId64
                          "\",\"till_id\":\"S001-01\",\"business_day\":\"2026-01-%02" PRId64 "\","
                          "\"opened_us\":1767225600000000,\"closed_us\":1767258000000000,"
                          "\"sales_total\":%" PRId64 ",\"returns_total\":%" PRId64
                          ",\"grand_total\":%" PRId64 ",\"grand_sales\":0,\"grand_returns\":0,"
                          "\"totals\":{\"sales\":{\"count\":3,\"amount\":%" PRId64
                          "}},\"shifts\":[]},"
                          "\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%s\"}",
                          uuid_member, z_no, z_no, z_no, sales_total, returns_total, grand_total,
                          sales_total, journal_seq, zero_hash);
}

static TillWireItem *
z_item (gint64 seq, const char *uuid, gint64 z_no, gint64 sales, gint64 returns, gint64 grand)
{
  g_autofree char *payload = z_payload (uuid, z_no, sales, returns, grand, seq);

  return item_new (seq, "z-report", uuid, payload);
}

/* The till's Z reports as hq_store_list_z_reports() gives them. */
static HqDbRows *
list_z (HqStore *store, const char *till_id)
{
  g_autoptr (GError) error = NULL;
  HqDbRows *rows = hq_store_list_z_reports (store, till_id, NULL, &error);

  ck_assert_msg (rows != NULL, "list z: %s", error ? error->message : "");
  return rows;
}

/* The continuity of the Z of @till_id with @uuid, NULL when HQ has none. */
static const char *
z_continuity (HqDbRows *rows, const char *uuid)
{
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (g_strcmp0 (hq_db_rows_get_text (rows, r, 10), uuid) == 0)
      return hq_db_rows_get_text (rows, r, 8);
  return NULL;
}

/* HQ says a Z that does not follow on with g_warning (fatal in tests): the
 * warnings of "hq-store" are kept here instead, to be checked. */
static GPtrArray *z_warnings;

static void
keep_warning_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) level;
  (void) data;
  g_ptr_array_add (z_warnings, g_strdup (message));
}

static void
keep_store_warnings (void)
{
  if (z_warnings == NULL)
    z_warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_set_size (z_warnings, 0);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_handler ("hq-store", G_LOG_LEVEL_WARNING, keep_warning_cb, NULL);
}

/* Whether one kept warning holds every one of the texts. */
static gboolean
warned (const char *first, ...)
{
  for (guint w = 0; w < z_warnings->len; w++)
    {
      const char *message = g_ptr_array_index (z_warnings, w);
      gboolean    all = TRUE;
      va_list     args;

      va_start (args, first);
      for (const char *text = first; text != NULL; text = va_arg (args, const char *))
        all &= strstr (message, text) != NULL;
      va_end (args);
      if (all)
        return TRUE;
    }
  return FALSE;
}

/* /hq/store/shifts/kinds: the three documents of issue 10 are stored; a
 * Z report becomes a row of the till's Z reports; a re-push doubles
 * nothing; a Z without its uuid or its figures is rejected. */
START_TEST (test_shift_documents)
{
  Env env = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) replay = NULL;
  g_autoptr (TillWireBatch) bad = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqDbRows) z_rows = NULL;
  g_autofree char *shift_uuid = make_uuid (101);
  g_autofree char *movement_uuid = make_uuid (102);
  g_autofree char *z_uuid = make_uuid (103);
  g_autofree char *shift_json = shift_payload (shift_uuid, 4);
  g_autofree char *movement_json = cash_movement_payload (movement_uuid, shift_uuid, 3);

  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);

  batch = batch_new (till, 0, g_get_real_time ());
  g_ptr_array_add (batch->items, sale_item (1, 1, "2026-01-01"));
  g_ptr_array_add (batch->items, item_new (2, "cash-movement", movement_uuid, movement_json));
  g_ptr_array_add (batch->items, item_new (3, "shift", shift_uuid, shift_json));
  g_ptr_array_add (batch->items, z_item (4, z_uuid, 1, 31000, 1000, 30000));
  batch_set_head (batch);
  ack = apply (env.store, till, batch);
  for (guint i = 0; i < 4; i++)
    ck_assert_msg (ack_status (ack, i) == TILL_WIRE_ITEM_OK, "item %u: %s", i,
                   g_array_index (ack->items, TillWireItemResult, i).reason);
  ck_assert_int_eq (ack->acked_through, 4);
  ck_assert_int_eq (count_documents (env.store, "shift", till->till_id), 1);
  ck_assert_int_eq (count_documents (env.store, "cash-movement", till->till_id), 1);
  ck_assert_int_eq (count_documents (env.store, "z-report", till->till_id), 1);

  /* The Z is a row of its own, with its figures, and the first Z follows
   * on from nothing. A shift or a Z is no sale: the roll-up has the sale
   * alone. */
  z_rows = list_z (env.store, till->till_id);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (z_rows), 1);
  ck_assert_str_eq (hq_db_rows_get_text (z_rows, 0, 0), "S001-01");
  ck_assert_str_eq (hq_db_rows_get_text (z_rows, 0, 1), "S001");
  ck_assert_int_eq (hq_db_rows_get_int (z_rows, 0, 2), 1);
  ck_assert_str_eq (hq_db_rows_get_text (z_rows, 0, 3), "2026-01-01");
  ck_assert_int_eq (hq_db_rows_get_int (z_rows, 0, 4), 1767258000000000);
  ck_assert_int_eq (hq_db_rows_get_int (z_rows, 0, 5), 31000);
  ck_assert_int_eq (hq_db_rows_get_int (z_rows, 0, 6), 1000);
  ck_assert_int_eq (hq_db_rows_get_int (z_rows, 0, 7), 30000);
  ck_assert_str_eq (hq_db_rows_get_text (z_rows, 0, 8), "ok");
  ck_assert (hq_db_rows_is_null (z_rows, 0, 9));
  ck_assert_str_eq (hq_db_rows_get_text (z_rows, 0, 10), z_uuid);
  {
    g_autoptr (HqDbRows) days = hq_store_report_days (env.store, "S001", NULL, NULL, &error);

    ck_assert_ptr_nonnull (days);
    ck_assert_uint_eq (hq_db_rows_get_n_rows (days), 1);
    ck_assert_int_eq (hq_db_rows_get_int (days, 0, 2), 1);
  }
  g_clear_pointer (&ack, till_wire_ack_free);
  g_clear_pointer (&z_rows, hq_db_rows_free);

  /* The ack was lost: the same batch again is all duplicates. */
  replay = batch_new (till, 0, g_get_real_time ());
  for (guint i = 0; i < batch->items->len; i++)
    {
      TillWireItem *item = g_ptr_array_index (batch->items, i);

      g_ptr_array_add (replay->items, till_wire_item_new (item->seq, item->kind, item->ref_uuid,
                                                          item->payload, item->sha256));
    }
  batch_set_head (replay);
  ack = apply (env.store, till, replay);
  for (guint i = 0; i < 4; i++)
    ck_assert_int_eq (ack_status (ack, i), TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_int_eq (count_documents (env.store, "shift", NULL), 1);
  ck_assert_int_eq (count_documents (env.store, "cash-movement", NULL), 1);
  ck_assert_int_eq (count_documents (env.store, "z-report", NULL), 1);
  z_rows = list_z (env.store, NULL);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (z_rows), 1);
  g_clear_pointer (&ack, till_wire_ack_free);
  g_clear_pointer (&z_rows, hq_db_rows_free);

  /* A Z without its uuid, and one without its grand total: rejected, an
   * incident each, no row. */
  bad = batch_new (till, 4, g_get_real_time ());
  {
    g_autofree char *uuid = make_uuid (104);
    g_autofree char *no_uuid = z_payload (NULL, 2, 100, 0, 30100, 5);
    g_autofree char *full = z_payload (uuid, 2, 100, 0, 30100, 6);
    g_autoptr (GString) no_grand = g_string_new (full);

    g_string_replace (no_grand, "\"grand_total\":30100,", "", 1);
    g_ptr_array_add (bad->items, item_new (5, "z-report", uuid, no_uuid));
    g_ptr_array_add (bad->items, item_new (6, "z-report", uuid, no_grand->str));
  }
  batch_set_head (bad);
  ack = apply (env.store, till, bad);
  ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_REJECTED);
  ck_assert_ptr_nonnull (
      strstr (g_array_index (ack->items, TillWireItemResult, 0).reason, "z_report.uuid"));
  ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_REJECTED);
  ck_assert_ptr_nonnull (
      strstr (g_array_index (ack->items, TillWireItemResult, 1).reason, "grand_total"));
  ck_assert_int_eq (ack->acked_through, 4);
  ck_assert_uint_eq (count_incidents (env.store, "rejected"), 2);
  ck_assert_int_eq (count_documents (env.store, "z-report", NULL), 1);
  z_rows = list_z (env.store, NULL);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (z_rows), 1);
  env_close (&env);
}
END_TEST

/* /hq/store/z/continuity: Z 1 and 2 follow on; Z 4 before Z 3 is a gap,
 * judged again when Z 3 comes; a grand total that does not carry on is a
 * mismatch; a second document under one number is flagged. Every one is
 * kept, warned about and an incident; a re-push changes nothing. */
START_TEST (test_z_continuity)
{
  Env env = { 0 };
  g_autoptr (HqTill) till = NULL;
  g_autoptr (HqTill) other = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autofree char *z1 = make_uuid (201);
  g_autofree char *z2 = make_uuid (202);
  g_autofree char *z3 = make_uuid (203);
  g_autofree char *z4 = make_uuid (204);
  g_autofree char *z5 = make_uuid (205);
  g_autofree char *z2_again = make_uuid (206);
  g_autofree char *other_z5 = make_uuid (207);

  keep_store_warnings ();
  env_open (&env, _i);
  put_chain (env.store);
  till = enroll_till (env.store, "S001", 1);
  other = enroll_till (env.store, "S002", 1);

  /* Z 1 (net 300.00) and Z 2 (net 150.00 + 20.00 − 5.00). */
  {
    g_autoptr (TillWireBatch) batch = batch_new (till, 0, g_get_real_time ());
    g_autoptr (TillWireAck) ack = NULL;

    g_ptr_array_add (batch->items, z_item (1, z1, 1, 30000, 0, 30000));
    g_ptr_array_add (batch->items, z_item (2, z2, 2, 2000, 500, 31500));
    batch_set_head (batch);
    ack = apply (env.store, till, batch);
    ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
    ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_OK);
  }
  rows = list_z (env.store, till->till_id);
  ck_assert_str_eq (z_continuity (rows, z1), "ok");
  ck_assert_str_eq (z_continuity (rows, z2), "ok");
  ck_assert_uint_eq (z_warnings->len, 0);
  ck_assert_uint_eq (count_incidents (env.store, "z-continuity"), 0);
  g_clear_pointer (&rows, hq_db_rows_free);

  /* Z 4 arrives, Z 3 has not (seq 3 was held up): a gap. Z 5's grand
   * total does not carry on from Z 4's: a mismatch. Both are kept. */
  {
    g_autoptr (TillWireBatch) batch = batch_new (till, 2, g_get_real_time ());
    g_autoptr (TillWireAck) ack = NULL;

    g_ptr_array_add (batch->items, z_item (4, z4, 4, 1000, 0, 33500));
    g_ptr_array_add (batch->items, z_item (5, z5, 5, 1000, 0, 99999));
    batch_set_head (batch);
    ack = apply (env.store, till, batch);
    ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
    ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_OK);
    ck_assert_int_eq (ack->acked_through, 2);
  }
  rows = list_z (env.store, till->till_id);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 4);
  ck_assert_str_eq (z_continuity (rows, z4), "gap");
  ck_assert_str_eq (z_continuity (rows, z5), "mismatch");
  ck_assert (warned ("S001-01", "Z 4", "no Z 3", NULL));
  ck_assert (warned ("S001-01", "Z 5", "99999", "33500", NULL));
  ck_assert_uint_eq (count_incidents (env.store, "z-continuity"), 2);
  g_clear_pointer (&rows, hq_db_rows_free);

  /* Z 3 comes (net 10.00): it follows Z 2, and Z 4 now follows it. */
  {
    g_autoptr (TillWireBatch) batch = batch_new (till, 2, g_get_real_time ());
    g_autoptr (TillWireAck) ack = NULL;

    g_ptr_array_add (batch->items, z_item (3, z3, 3, 1200, 200, 32500));
    batch->head_seq = 5; /* the till's head is past Z 5 by now */
    ack = apply (env.store, till, batch);
    ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
    ck_assert_int_eq (ack->acked_through, 5);
  }
  rows = list_z (env.store, till->till_id);
  ck_assert_str_eq (z_continuity (rows, z3), "ok");
  ck_assert_str_eq (z_continuity (rows, z4), "ok");
  ck_assert_str_eq (z_continuity (rows, z5), "mismatch");
  /* In number order. */
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    ck_assert_int_eq (hq_db_rows_get_int (rows, r, 2), r + 1);
  ck_assert_uint_eq (count_incidents (env.store, "z-continuity"), 2);
  g_clear_pointer (&rows, hq_db_rows_free);

  /* Z 2 again under another uuid (a till restored from a backup that took
   * it afresh): kept and flagged. The same Z 2 document again: nothing. */
  {
    g_autoptr (TillWireBatch) batch = batch_new (till, 5, g_get_real_time ());
    g_autoptr (TillWireAck) ack = NULL;
    g_autofree char *payload = z_payload (z2, 2, 2000, 500, 31500, 2);

    g_ptr_array_add (batch->items, z_item (6, z2_again, 2, 2000, 500, 31500));
    g_ptr_array_add (batch->items, item_new (7, "z-report", z2, payload));
    batch_set_head (batch);
    ack = apply (env.store, till, batch);
    ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
    /* The same document as seq 2, sent again under another seq. */
    ck_assert_int_eq (ack_status (ack, 1), TILL_WIRE_ITEM_DUPLICATE);
  }
  rows = list_z (env.store, till->till_id);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 6);
  ck_assert_str_eq (z_continuity (rows, z2), "ok");
  ck_assert_str_eq (z_continuity (rows, z2_again), "duplicate");
  ck_assert (warned ("S001-01", "Z 2", z2_again, z2, NULL));
  ck_assert_uint_eq (count_incidents (env.store, "z-continuity"), 3);
  g_clear_pointer (&rows, hq_db_rows_free);

  /* Another till's numbers are its own: its first Z is Z 5, a gap there,
   * and nothing of S001-01 changes. */
  {
    g_autoptr (TillWireBatch) batch = batch_new (other, 0, g_get_real_time ());
    g_autoptr (TillWireAck) ack = NULL;

    g_ptr_array_add (batch->items, z_item (1, other_z5, 5, 1000, 0, 33500));
    batch_set_head (batch);
    ack = apply (env.store, other, batch);
    ck_assert_int_eq (ack_status (ack, 0), TILL_WIRE_ITEM_OK);
  }
  rows = list_z (env.store, other->till_id);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
  ck_assert_str_eq (z_continuity (rows, other_z5), "gap");
  ck_assert (warned ("S002-01", "Z 5", "no Z 4", NULL));
  g_clear_pointer (&rows, hq_db_rows_free);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HqDbRows) store_rows = hq_store_list_z_reports (env.store, NULL, "S002", &error);

    ck_assert_ptr_nonnull (store_rows);
    ck_assert_uint_eq (hq_db_rows_get_n_rows (store_rows), 1);
  }
  rows = list_z (env.store, NULL);
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 7);
  env_close (&env);
}
END_TEST

static void
add_test (Suite *suite, const char *name, const TTest *test)
{
  TCase *tcase = tcase_create (name);

  tcase_set_timeout (tcase, 120);
  tcase_add_loop_test (tcase, test, 0, N_BACKENDS);
  suite_add_tcase (suite, tcase);
}

static Suite *
hq_store_suite (void)
{
  Suite *suite = suite_create ("/hq/store");

  add_test (suite, "/hq/store/enroll/token-single-use", test_token_single_use);
  add_test (suite, "/hq/store/enroll/token-expiry", test_token_expiry);
  add_test (suite, "/hq/store/enroll/re-enroll", test_re_enroll);
  add_test (suite, "/hq/store/push/ok-duplicate-conflict", test_push_ok_duplicate_conflict);
  add_test (suite, "/hq/store/push/rejected", test_push_rejected);
  add_test (suite, "/hq/store/push/gap", test_push_gap);
  add_test (suite, "/hq/store/push/statements-bounded", test_statements_bounded);
  add_test (suite, "/hq/store/push/clock-skew-late-arrival", test_clock_skew_late_arrival);
  add_test (suite, "/hq/store/push/head-regression", test_head_regression);
  add_test (suite, "/hq/store/rollup/sums", test_rollup_sums);
  add_test (suite, "/hq/store/changes/paging", test_changes_paging);
  add_test (suite, "/hq/store/changes/scope", test_changes_scope);
  add_test (suite, "/hq/store/changes/tombstones-purge", test_tombstones_purge);
  add_test (suite, "/hq/store/master/users-pin", test_users_pin);
  add_test (suite, "/hq/store/import/demo", test_import_demo);
  add_test (suite, "/hq/store/import/bad-row", test_import_bad_row);
  add_test (suite, "/hq/store/stores/group-setting", test_store_group_setting);
  add_test (suite, "/hq/store/stores/group-setting-migration", test_store_group_migration);
  add_test (suite, "/hq/store/promotions/set-list-remove", test_promotions_set_list_remove);
  add_test (suite, "/hq/store/promotions/refused", test_promotions_refused);
  add_test (suite, "/hq/store/promotions/import-checked", test_promotions_import_checked);
  add_test (suite, "/hq/store/shifts/kinds", test_shift_documents);
  add_test (suite, "/hq/store/z/continuity", test_z_continuity);
  return suite;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  int status;

  pg_server = till_pg_server_start (&error);
  if (pg_server == NULL)
    {
      g_printerr ("Cannot start the test PostgreSQL server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  status = till_test_run_suite (hq_store_suite ());
  till_pg_server_stop (pg_server);
  return status;
}
