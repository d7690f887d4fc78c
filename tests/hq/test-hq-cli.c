/* test-hq-cli.c: tests for src/hq/opentill-hq.c, the built binary
 * ($OPENTILL_HQ) run as store IT would run it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hq-ca.h"
#include "hq-store.h"
#include "till-test-util.h"
#include "till-wire.h"

static char *scratch;
static char *data_dir;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  data_dir = g_build_filename (scratch, "hq", NULL);
  /* The binary reads /etc/opentill/hq.conf or $OPENTILL_HQ_CONFIG when no
   * --config is given: neither may leak into a test. */
  g_unsetenv ("OPENTILL_HQ_CONFIG");
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&data_dir, g_free);
}

static const char *
binary (void)
{
  const char *path = g_getenv ("OPENTILL_HQ");

  ck_assert_msg (path != NULL, "OPENTILL_HQ is not set");
  return path;
}

/* Runs opentill-hq with the arguments (NULL-terminated); returns its exit
 * status, -1 when it did not exit normally. */
static int
run (char **out_stdout, char **out_stderr, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              wait_status = 0;
  va_list          ap;

  g_ptr_array_add (args, (gpointer) binary ());
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &wait_status, &error),
                 "%s", error ? error->message : "");
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
run_ok (char **out_stdout, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              wait_status = 0;
  va_list          ap;

  g_ptr_array_add (args, (gpointer) binary ());
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  ck_assert (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                           &err, &wait_status, &error));
  ck_assert_msg (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0, "%s %s failed: %s%s",
                 first, args->len > 2 ? (char *) args->pdata[2] : "", out, err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
}

/* An error is one line naming the command, ending in a newline. */
static void
assert_one_line_error (const char *err, const char *expected)
{
  ck_assert_msg (g_str_has_prefix (err, "opentill-hq"), "stderr: %s", err);
  ck_assert_msg (strstr (err, expected) != NULL, "“%s” not in stderr: %s", expected, err);
  ck_assert_msg (strchr (err, '\n') == err + strlen (err) - 1, "not one line: %s", err);
}

static void
init_data (void)
{
  run_ok (NULL, "init", "--data", data_dir, "--name", "hq.test", NULL);
  run_ok (NULL, "group", "add", "--data", data_dir, "--id", "G1", "--name", "华东", NULL);
  run_ok (NULL, "store", "add", "--data", data_dir, "--id", "S001", "--name", "旗舰店", "--group",
          "G1", NULL);
}

static HqStore *
open_store (void)
{
  g_autofree char *db_path = g_build_filename (data_dir, "hq.db", NULL);
  g_autoptr (GError) error = NULL;
  HqStore *store = hq_store_open (db_path, &error);

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  return store;
}

/* /hq/cli/init */
START_TEST (test_init)
{
  g_autofree char  *out = NULL;
  g_autofree char  *ca_dir = g_build_filename (data_dir, "ca", NULL);
  g_autofree char  *ca_pem = g_build_filename (ca_dir, "ca.pem", NULL);
  g_autofree char  *db_path = g_build_filename (data_dir, "hq.db", NULL);
  const char *const names[] = { "hq.test", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) ca = NULL;
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("hq.test", 8443);

  run_ok (&out, "init", "--data", data_dir, "--name", "hq.test", NULL);
  ck_assert (g_file_test (ca_pem, G_FILE_TEST_IS_REGULAR));
  ck_assert (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));

  /* The CA the command made, with a server certificate for the given name;
   * its pin is the one printed. */
  ca = hq_ca_open (ca_dir, names, &error);
  ck_assert_msg (ca != NULL, "%s", error ? error->message : "");
  ck_assert_msg (strstr (out, hq_ca_get_pin (ca)) != NULL, "%s", out);
  ck_assert_int_eq (g_tls_certificate_verify (hq_ca_get_server_certificate (ca), identity,
                                              hq_ca_get_ca_certificate (ca)),
                    0);

  /* Again: the same CA. */
  {
    g_autofree char *again = NULL;

    run_ok (&again, "init", "--data", data_dir, NULL);
    ck_assert_ptr_nonnull (strstr (again, hq_ca_get_pin (ca)));
  }
}
END_TEST

/* /hq/cli/enroll */
START_TEST (test_enroll)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char  *secret = NULL;
  g_autofree char  *pin = NULL;
  g_autofree char  *ca_dir = g_build_filename (data_dir, "ca", NULL);
  g_autofree char  *hint = NULL;
  const char *const names[] = { "hq.test", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) ca = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqEnrollment) enrollment = NULL;

  init_data ();
  run_ok (&out, "enroll", "--data", data_dir, "--store", "S001", "--till", "2", "--valid-hours",
          "1", NULL);
  lines = g_strsplit (out, "\n", -1);
  ck_assert_uint_ge (g_strv_length (lines), 2);
  ck_assert_msg (till_wire_token_split (lines[0], &secret, &pin, &error), "%s: %s", lines[0],
                 error ? error->message : "");
  ca = hq_ca_open (ca_dir, names, &error);
  ck_assert_ptr_nonnull (ca);
  ck_assert_str_eq (pin, hq_ca_get_pin (ca));
  hint = g_strdup_printf ("opentill-admin enroll https://hq.test:8443 %s", lines[0]);
  ck_assert_msg (strstr (lines[1], hint) != NULL, "%s", lines[1]);

  /* The token is real: HQ enrolls till 2 of S001 with it, once. */
  store = open_store ();
  enrollment =
      hq_store_enroll (store, secret, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &error);
  ck_assert_msg (enrollment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (enrollment->till_id, "S001-02");

  /* A store HQ does not know. */
  ck_assert_int_eq (
      run (NULL, &err, "enroll", "--data", data_dir, "--store", "S999", "--till", "1", NULL), 1);
  ck_assert_msg (g_str_has_prefix (err, "opentill-hq enroll: "), "%s", err);
}
END_TEST

static char *
sale_payload (const char *ref)
{
  return g_strdup_printf (
      "{\"sale\":{\"uuid\":\"%s\",\"business_day\":\"2024-03-01\",\"total\":1234,"
      "\"lines\":[{\"sku\":\"6901234567892\",\"name\":\"可口可乐 500ml\",\"quantity\":2000,"
      "\"amount\":600},{\"sku\":\"2000001\",\"name\":\"苹果\",\"quantity\":1500,\"amount\":634}]},"
      "\"journal_seq\":1,\"journal_hash\":\"%064d\"}",
      ref, 0);
}

/* /hq/cli/report */
START_TEST (test_report)
{
  g_autoptr (HqStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autoptr (HqEnrollment) enrollment = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autofree char *days = NULL;
  g_autofree char *products = NULL;
  g_autofree char *other = NULL;
  g_autofree char *tills = NULL;

  init_data ();
  /* Two sales of ¥12.34 each, pushed the way the server applies them. */
  store = open_store ();
  secret = hq_store_create_enroll_token (store, "S001", 1, G_USEC_PER_SEC * 60, &error);
  ck_assert_ptr_nonnull (secret);
  enrollment =
      hq_store_enroll (store, secret, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &error);
  ck_assert_ptr_nonnull (enrollment);
  ck_assert (hq_store_set_till_certificate (store, enrollment->till_id, "ab", &error));
  till = hq_store_find_till_by_certificate (store, "ab", &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  batch = till_wire_batch_new (till->till_id, till->epoch);
  batch->head_seq = 2;
  for (gint64 seq = 1; seq <= 2; seq++)
    {
      g_autofree char *ref =
          g_strdup_printf ("0190c0de-0000-7000-8000-00000000000%" G_GINT64_FORMAT, seq);
      g_autofree char *payload = sale_payload (ref);
      g_autofree char *sha = till_wire_sha256_hex (payload, strlen (payload));

      g_ptr_array_add (batch->items, till_wire_item_new (seq, "sale", ref, payload, sha));
    }
  ack = hq_store_apply_batch (store, till, batch, g_get_real_time (), &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->acked_through, 2);
  g_clear_object (&store);

  run_ok (&days, "report", "days", "--data", data_dir, NULL);
  ck_assert_msg (strstr (days, "Receipts") != NULL, "%s", days);
  ck_assert_msg (strstr (days, "S001") != NULL && strstr (days, "2024-03-01") != NULL, "%s", days);
  ck_assert_msg (strstr (days, "¥24.68") != NULL, "%s", days);

  run_ok (&products, "report", "products", "--data", data_dir, "--from", "2024-03-01", "--to",
          "2024-03-01", NULL);
  ck_assert_msg (strstr (products, "苹果") != NULL, "%s", products);
  ck_assert_msg (strstr (products, "3.000") != NULL, "%s", products);
  ck_assert_msg (strstr (products, "¥12.68") != NULL, "%s", products);
  /* Aligned: the amount column ends at the same place on every line. */
  {
    g_auto (GStrv) lines = g_strsplit (g_strchomp (products), "\n", -1);
    glong width = g_utf8_strlen (lines[0], -1);

    ck_assert_uint_eq (g_strv_length (lines), 3);
    for (guint i = 1; lines[i] != NULL; i++)
      {
        glong columns = 0;

        for (const char *p = lines[i]; *p != '\0'; p = g_utf8_next_char (p))
          columns += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
        ck_assert_int_eq (columns, width);
      }
  }

  run_ok (&other, "report", "days", "--data", data_dir, "--store", "S002", NULL);
  ck_assert_ptr_null (strstr (other, "S001"));

  run_ok (&tills, "tills", "--data", data_dir, NULL);
  ck_assert_msg (strstr (tills, "S001-01") != NULL, "%s", tills);
}
END_TEST

/* Enrolls till 1 of @store_id in @store as the server would find it. */
static HqTill *
enroll_till (HqStore *store, const char *store_id, const char *fingerprint)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *secret =
      hq_store_create_enroll_token (store, store_id, 1, G_USEC_PER_SEC * 60, &error);
  g_autoptr (HqEnrollment) enrollment = NULL;
  HqTill *till;

  ck_assert_ptr_nonnull (secret);
  enrollment =
      hq_store_enroll (store, secret, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &error);
  ck_assert_ptr_nonnull (enrollment);
  ck_assert (hq_store_set_till_certificate (store, enrollment->till_id, fingerprint, &error));
  till = hq_store_find_till_by_certificate (store, fingerprint, &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  return till;
}

/* Z report @z_no as the till's core queues it (src/core/till-shift.c). */
static TillWireItem *
z_report_item (gint64 seq, gint64 z_no, gint64 sales_total, gint64 grand_total)
{
  static guint     n_made;
  g_autofree char *ref = g_strdup_printf ("0190c0de-0000-7000-8000-0000000010%02u", ++n_made);
  g_autofree char *payload = g_strdup_printf (
      "{\"z_report\":{\"uuid\":\"%s\",\"z_no\":%" PRId64 ",\"business_day\":\"2024-03-0%" PRId64
      "\",\"closed_us\":1709330400000000,\"sales_total\":%" PRId64 ",\"returns_total\":0,"
      "\"grand_total\":%" PRId64 ",\"grand_sales\":%" PRId64 ",\"grand_returns\":0,"
      "\"totals\":{},\"shifts\":[]},\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%064d\"}",
      ref, z_no, z_no, sales_total, grand_total, grand_total, seq, 0);
  g_autofree char *sha = till_wire_sha256_hex (payload, strlen (payload));

  return till_wire_item_new (seq, "z-report", ref, payload, sha);
}

static void
push (HqStore *store, const HqTill *till, TillWireBatch *batch)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWireAck) ack = NULL;

  batch->head_seq = batch->items->len;
  batch->sent_us = g_get_real_time ();
  ack = hq_store_apply_batch (store, till, batch, g_get_real_time (), &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->acked_through, batch->items->len);
}

static void
ignore_warning_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) level;
  (void) message;
  (void) data;
}

/* /hq/cli/z-list: the Z reports per till with their continuity; a Z that
 * does not follow on is flagged and its detail printed. */
START_TEST (test_z_list)
{
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autoptr (HqTill) other = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireBatch) other_batch = NULL;
  g_autofree char *all = NULL;
  g_autofree char *one_till = NULL;
  g_autofree char *one_store = NULL;
  g_autofree char *none = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;

  init_data ();
  run_ok (NULL, "store", "add", "--data", data_dir, "--id", "S002", "--name", "二店", NULL);
  /* The gap below is warned about in this process: kept quiet here, the
   * store's suite checks it. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_handler ("hq-store", G_LOG_LEVEL_WARNING, ignore_warning_cb, NULL);
  store = open_store ();
  till = enroll_till (store, "S001", "ab");
  other = enroll_till (store, "S002", "cd");
  /* S001-01: Z 1 and Z 2 follow on (¥123.45, then ¥10.00 more); Z 4 comes
   * without Z 3. S002-01: its Z 1. */
  batch = till_wire_batch_new (till->till_id, till->epoch);
  g_ptr_array_add (batch->items, z_report_item (1, 1, 12345, 12345));
  g_ptr_array_add (batch->items, z_report_item (2, 2, 1000, 13345));
  g_ptr_array_add (batch->items, z_report_item (3, 4, 500, 13845));
  push (store, till, batch);
  other_batch = till_wire_batch_new (other->till_id, other->epoch);
  g_ptr_array_add (other_batch->items, z_report_item (1, 1, 700, 700));
  push (store, other, other_batch);
  g_clear_object (&store);

  run_ok (&all, "z", "list", "--data", data_dir, NULL);
  ck_assert_msg (strstr (all, "Continuity") != NULL && strstr (all, "Grand total") != NULL, "%s",
                 all);
  lines = g_strsplit (all, "\n", -1);
  /* The header, four Zs by store, till and number, the gap's detail. */
  ck_assert_msg (g_strv_length (lines) == 7 && *lines[6] == '\0', "%s", all);
  ck_assert_msg (strstr (lines[1], "S001-01") && strstr (lines[1], "2024-03-01") &&
                     strstr (lines[1], "¥123.45") && g_str_has_suffix (lines[1], "ok"),
                 "%s", lines[1]);
  ck_assert_msg (strstr (lines[2], "¥133.45") && g_str_has_suffix (lines[2], "ok"), "%s", lines[2]);
  ck_assert_msg (strstr (lines[3], "¥138.45") && g_str_has_suffix (lines[3], "gap"), "%s",
                 lines[3]);
  ck_assert_msg (strstr (lines[4], "S002-01") && g_str_has_suffix (lines[4], "ok"), "%s", lines[4]);
  ck_assert_msg (g_str_has_prefix (lines[5], "S001-01: ") && strstr (lines[5], "no Z 3"), "%s",
                 lines[5]);

  run_ok (&one_till, "z", "list", "--data", data_dir, "--till", "S002-01", NULL);
  ck_assert_msg (strstr (one_till, "S002-01") && !strstr (one_till, "S001-01"), "%s", one_till);
  run_ok (&one_store, "z", "list", "--data", data_dir, "--store", "S001", NULL);
  ck_assert_msg (strstr (one_store, "S001-01") && !strstr (one_store, "S002-01"), "%s", one_store);
  run_ok (&none, "z", "list", "--data", data_dir, "--till", "S009-01", NULL);
  ck_assert_msg (strstr (none, "(no Z reports)") != NULL, "%s", none);

  ck_assert_int_eq (run (NULL, &err, "z", "--data", data_dir, NULL), 1);
  assert_one_line_error (err, "opentill-hq z: expected list first");
}
END_TEST

/* /hq/cli/import */
START_TEST (test_import)
{
  g_autofree char *demo = till_test_source_path ("data/hq-demo.json");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *bad = g_build_filename (scratch, "bad.json", NULL);

  init_data ();
  /* A file that is not JSON: refused, nothing imported. */
  ck_assert (g_file_set_contents (bad, "{\"items\":[", -1, NULL));
  ck_assert_int_eq (run (NULL, &err, "import", "--data", data_dir, bad, NULL), 1);
  assert_one_line_error (err, "import");

  if (!g_file_test (demo, G_FILE_TEST_IS_REGULAR))
    {
      g_print ("/hq/cli/import: %s is not there yet; the demo import is skipped\n", demo);
      return;
    }
  run_ok (&out, "import", "--data", data_dir, demo, NULL);
  ck_assert_msg (g_str_has_prefix (out, "Imported "), "%s", out);
  ck_assert_ptr_null (strstr (out, "Imported 0 rows"));
}
END_TEST

/* Two promotions in the till's format, as store IT writes them. */
static const char promotions_json[] =
    "[{\"code\":\"P2026-001\",\"name\":\"满100减10\",\"kind\":\"threshold\","
    "\"tiers\":[{\"min_amount\":10000,\"amount_off\":1000}],"
    "\"valid_from_us\":1767196800000000,\"valid_until_us\":1798732800000000},"
    " {\"code\":\"P2026-002\",\"name\":\"可口可乐 第二件半价\",\"kind\":\"nth-item\","
    "\"nth_item\":2,\"percent_bp\":5000,\"skus\":[\"100002\"]}]";

static gint64
live_promotions (const char *scope)
{
  g_autoptr (HqStore) store = open_store ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_list_rows (store, "promotions", scope, &error);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  return hq_db_rows_get_n_rows (rows);
}

/* /hq/cli/promotion: set for a group, listed with their scope, kind and
 * name, removed (a tombstone, gone from the list). */
START_TEST (test_promotion)
{
  g_autofree char *path = g_build_filename (scratch, "promotions.json", NULL);
  g_autofree char *set_out = NULL;
  g_autofree char *list_out = NULL;
  g_autofree char *scoped_out = NULL;
  g_autofree char *other_out = NULL;
  g_autofree char *remove_out = NULL;
  g_autofree char *after_out = NULL;

  init_data ();
  ck_assert (g_file_set_contents (path, promotions_json, -1, NULL));
  run_ok (&set_out, "promotion", "set", "--data", data_dir, path, "--scope", "group:G1", NULL);
  ck_assert_msg (g_str_has_prefix (set_out, "Set 2 promotions"), "%s", set_out);
  ck_assert_int_eq (live_promotions ("group:G1"), 2);
  ck_assert_int_eq (live_promotions ("all"), 0);

  run_ok (&list_out, "promotion", "list", "--data", data_dir, NULL);
  {
    g_auto (GStrv) lines = g_strsplit (g_strchomp (list_out), "\n", -1);

    ck_assert_uint_eq (g_strv_length (lines), 3);
    ck_assert_msg (strstr (lines[0], "Code") != NULL && strstr (lines[0], "Scope") != NULL, "%s",
                   list_out);
    ck_assert_msg (
        g_str_has_prefix (lines[1], "P2026-001") && strstr (lines[1], "group:G1") != NULL &&
            strstr (lines[1], "threshold") != NULL && strstr (lines[1], "满100减10") != NULL,
        "%s", lines[1]);
    ck_assert_msg (g_str_has_prefix (lines[2], "P2026-002") &&
                       strstr (lines[2], "nth-item") != NULL &&
                       strstr (lines[2], "可口可乐 第二件半价") != NULL,
                   "%s", lines[2]);
    /* The dates of the first, in the machine's local time: a start in 2025
     * or 2026 whatever the zone, and no end for the second. */
    ck_assert_msg (strstr (lines[1], "2025-12-31") != NULL || strstr (lines[1], "2026-01-01"), "%s",
                   lines[1]);
  }
  run_ok (&scoped_out, "promotion", "list", "--data", data_dir, "--scope", "group:G1", NULL);
  ck_assert_msg (strstr (scoped_out, "P2026-002") != NULL, "%s", scoped_out);
  run_ok (&other_out, "promotion", "list", "--data", data_dir, "--scope", "store:S001", NULL);
  ck_assert_msg (strstr (other_out, "P2026") == NULL && strstr (other_out, "(no promotions)"), "%s",
                 other_out);

  /* Setting the same file again is fine (an upsert by code). */
  run_ok (NULL, "promotion", "set", "--data", data_dir, "--scope", "group:G1", path, NULL);
  ck_assert_int_eq (live_promotions (NULL), 2);

  run_ok (&remove_out, "promotion", "remove", "--data", data_dir, "P2026-002", NULL);
  ck_assert_msg (strstr (remove_out, "P2026-002") != NULL && strstr (remove_out, "group:G1"), "%s",
                 remove_out);
  run_ok (&after_out, "promotion", "list", "--data", data_dir, NULL);
  ck_assert_msg (strstr (after_out, "P2026-001") != NULL && strstr (after_out, "P2026-002") == NULL,
                 "%s", after_out);
  /* A tombstone, not a deleted row: tills learn of the removal. */
  {
    g_autoptr (HqStore) store = open_store ();
    g_autoptr (GError) error = NULL;
    g_autoptr (HqDbRows) rows =
        hq_db_query (hq_store_get_db (store),
                     "SELECT deleted FROM master_row WHERE channel = 'promotions' AND id = "
                     "'P2026-002'",
                     NULL, 0, &error);

    ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
    ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 0), 1);
  }
}
END_TEST

/* /hq/cli/promotion-refused: a bad promotion in a file is named with its
 * reason in one line, exit 1, and nothing of the file is saved. */
START_TEST (test_promotion_refused)
{
  g_autofree char *path = g_build_filename (scratch, "promotions.json", NULL);
  g_autofree char *good = g_build_filename (scratch, "good.json", NULL);
  static const struct
  {
    const char *json;
    const char *expected;
  } cases[] = {
    { "[{\"code\":\"P1\",\"name\":\"满减\",\"kind\":\"threshold\"},"
      "{\"code\":\"P2\",\"name\":\"八折\",\"kind\":\"percent-off\",\"percent_bp\":-800}]",
      "percent_bp" },
    { "[{\"code\":\"P1\",\"name\":\"满减\",\"kind\":\"threshold\"},"
      "{\"code\":\"P2\",\"name\":\"八折\",\"kind\":\"percent\"}]",
      "“percent”" },
    { "{\"code\":\"P1\",\"name\":\"满减\",\"kind\":\"threshold\",\"stacking\":\"never\"}",
      "stacking" },
    { "{\"code\":\"P1\",\"name\":\"\",\"kind\":\"threshold\"}", "name" },
    { "{\"name\":\"满减\",\"kind\":\"threshold\"}", "code" },
    { "{\"code\":\"P1\",\"name\":\"满减\",\"kind\":\"threshold\",\"valid_from_us\":5,"
      "\"valid_until_us\":4}",
      "valid_until_us" },
    { "{\"code\":\"P1\",\"name\":\"满减\",\"kind\":\"threshold\",\"min_amount\":99.5}",
      "min_amount" },
    { "{\"code\":\"P1\",", "promotions.json" },
  };

  init_data ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      ck_assert (g_file_set_contents (path, cases[i].json, -1, NULL));
      ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, path, NULL), 1);
      assert_one_line_error (err, cases[i].expected);
      ck_assert_msg (strstr (err, "opentill-hq promotion: ") != NULL, "%s", err);
    }
  /* The first two name the second promotion, by place and code. */
  {
    g_autofree char *err = NULL;

    ck_assert (g_file_set_contents (path, cases[0].json, -1, NULL));
    ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, path, NULL), 1);
    assert_one_line_error (err, "promotions[1]: “P2”");
  }
  ck_assert_int_eq (live_promotions (NULL), 0);

  /* A scope HQ does not know, or that is not a scope. */
  ck_assert (g_file_set_contents (good, promotions_json, -1, NULL));
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, "--scope",
                           "group:G404", good, NULL),
                      1);
    assert_one_line_error (err, "group:G404");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, "--scope",
                           "everywhere", good, NULL),
                      1);
    assert_one_line_error (err, "everywhere");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (
        run (NULL, &err, "promotion", "list", "--data", data_dir, "--scope", "store:S404", NULL),
        1);
    assert_one_line_error (err, "store:S404");
  }
  ck_assert_int_eq (live_promotions (NULL), 0);

  /* No verb, an unknown one, a missing file or code, an unknown code. */
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "--data", data_dir, NULL), 1);
    assert_one_line_error (err, "list|set|remove");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "add", "--data", data_dir, good, NULL), 1);
    assert_one_line_error (err, "list|set|remove");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, NULL), 1);
    assert_one_line_error (err, "missing argument");
  }
  {
    g_autofree char *err = NULL;
    g_autofree char *missing = g_build_filename (scratch, "nothing.json", NULL);

    ck_assert_int_eq (run (NULL, &err, "promotion", "set", "--data", data_dir, missing, NULL), 1);
    assert_one_line_error (err, "nothing.json");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "promotion", "remove", "--data", data_dir, "P404", NULL), 1);
    assert_one_line_error (err, "P404");
  }
  {
    g_autofree char *err = NULL;

    run_ok (NULL, "promotion", "set", "--data", data_dir, good, NULL);
    ck_assert_int_eq (run (NULL, &err, "promotion", "remove", "--data", data_dir, "--scope",
                           "group:G1", "P2026-001", NULL),
                      1);
    assert_one_line_error (err, "group:G1");
    /* Set for all stores, where no scope was given. */
    ck_assert_int_eq (live_promotions ("all"), 2);
  }
}
END_TEST

typedef struct
{
  GPid pid;
  int  stdout_fd;
} Child;

/* /hq/cli/serve */
START_TEST (test_serve)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ca_pem = NULL;
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autofree char *url = NULL;
  const char      *argv[] = { binary (),   "serve",  "--data", data_dir, "--listen",
                              "127.0.0.1", "--port", "0",      NULL };
  Child            child = { 0 };
  FILE            *out;
  char             line[512];
  int              wait_status = 0;

  init_data ();
  /* The client below connects by address: the certificate must name it. */
  run_ok (NULL, "init", "--data", data_dir, "--name", "hq.test", "--name", "127.0.0.1", NULL);
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &child.pid, NULL, &child.stdout_fd, NULL,
                                           &error),
                 "%s", error ? error->message : "");
  out = fdopen (child.stdout_fd, "r");
  ck_assert_ptr_nonnull (out);
  ck_assert_msg (fgets (line, sizeof line, out) != NULL, "serve printed nothing");
  ck_assert_msg (g_str_has_prefix (line, "listening on https://127.0.0.1:"), "%s", line);
  url = g_strconcat (g_strchomp (line + strlen ("listening on ")), "/v1/health", NULL);

  /* It serves: a client that trusts the CA gets "ok". */
  ca_pem = g_build_filename (data_dir, "ca", "ca.pem", NULL);
  database = g_tls_file_database_new (ca_pem, &error);
  ck_assert_ptr_nonnull (database);
  session = soup_session_new_with_options ("tls-database", database, "timeout", 20, NULL);
  msg = soup_message_new ("GET", url);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (soup_message_get_status (msg), SOUP_STATUS_OK);
  ck_assert_uint_eq (g_bytes_get_size (reply), 2);

  /* SIGTERM stops it cleanly (exit 0, which under the sanitizers also means
   * it leaked nothing). */
  ck_assert_int_eq (kill (child.pid, SIGTERM), 0);
  ck_assert_int_eq (waitpid (child.pid, &wait_status, 0), child.pid);
  ck_assert_msg (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0, "status %d",
                 wait_status);
  ck_assert (fgets (line, sizeof line, out) != NULL);
  ck_assert_str_eq (line, "stopped\n");
  fclose (out);
  g_spawn_close_pid (child.pid);
}
END_TEST

/* /hq/cli/bad-arguments */
START_TEST (test_bad_arguments)
{
  g_autofree char *missing_config = g_build_filename (scratch, "nothing.conf", NULL);
  g_autofree char *bad_config = g_build_filename (scratch, "bad.conf", NULL);

  init_data ();
  ck_assert (g_file_set_contents (bad_config, "[hq]\nport=http\n", -1, NULL));
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, NULL), 1);
    ck_assert_ptr_nonnull (strstr (err, "Usage"));
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "frobnicate", NULL), 1);
    ck_assert_ptr_nonnull (strstr (err, "unknown command"));
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "store", "add", "--data", data_dir, "--name", "x", NULL), 1);
    assert_one_line_error (err, "--id is required");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "store", "remove", "--data", data_dir, NULL), 1);
    assert_one_line_error (err, "add");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (
        run (NULL, &err, "enroll", "--data", data_dir, "--store", "S001", "--till", "abc", NULL),
        1);
    assert_one_line_error (err, "--till");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "report", "weeks", "--data", data_dir, NULL), 1);
    assert_one_line_error (err, "weeks");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (
        run (NULL, &err, "report", "days", "--data", data_dir, "--from", "March", NULL), 1);
    assert_one_line_error (err, "--from");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "serve", "--config", missing_config, NULL), 1);
    assert_one_line_error (err, "nothing.conf");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "serve", "--config", bad_config, NULL), 1);
    assert_one_line_error (err, "port");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (
        run (NULL, &err, "serve", "--data", data_dir, "--listen", "not-an-ip", "--port", "0", NULL),
        1);
    assert_one_line_error (err, "not-an-ip");
  }
  {
    g_autofree char *err = NULL;

    ck_assert_int_eq (run (NULL, &err, "tills", "--data", data_dir, "extra", NULL), 1);
    assert_one_line_error (err, "extra");
  }
}
END_TEST

/* /hq/cli/config */
START_TEST (test_config)
{
  g_autofree char *config = g_build_filename (scratch, "hq.conf", NULL);
  g_autofree char *db_path = g_build_filename (scratch, "elsewhere.db", NULL);
  g_autofree char *text = g_strdup_printf ("[hq]\ndata-dir=%s\ndatabase=%s\nport=9443\n"
                                           "names=hq.example.com, 10.1.2.3\n",
                                           data_dir, db_path);
  g_autofree char *out = NULL;

  ck_assert (g_file_set_contents (config, text, -1, NULL));
  run_ok (NULL, "init", "--config", config, NULL);
  ck_assert (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  run_ok (NULL, "store", "add", "--config", config, "--id", "S001", "--name", "旗舰店", NULL);
  run_ok (&out, "enroll", "--config", config, "--store", "S001", "--till", "1", NULL);
  /* The hint uses the configured name and port. */
  ck_assert_msg (strstr (out, "https://hq.example.com:9443 ") != NULL, "%s", out);
}
END_TEST

static Suite *
hq_cli_suite (void)
{
  Suite *suite = suite_create ("hq-cli");
  TCase *tc = tcase_create ("/hq/cli");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_init);
  tcase_add_test (tc, test_enroll);
  tcase_add_test (tc, test_report);
  tcase_add_test (tc, test_z_list);
  tcase_add_test (tc, test_import);
  tcase_add_test (tc, test_promotion);
  tcase_add_test (tc, test_promotion_refused);
  tcase_add_test (tc, test_serve);
  tcase_add_test (tc, test_bad_arguments);
  tcase_add_test (tc, test_config);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (hq_cli_suite ());
}
