/* test-wire.c: the sync protocol's messages, both ways, and what they refuse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/evp.h>
#include <string.h>
#include <till-test-util.h>

#include "till-wire.h"

static TillWireItem *
make_item (gint64 seq, const char *payload)
{
  g_autofree char *hash = till_wire_sha256_hex (payload, strlen (payload));
  g_autofree char *ref =
      g_strdup_printf ("0190a1b2-0000-7000-8000-%012" G_GINT64_MODIFIER "d", seq);

  return till_wire_item_new (seq, "sale", ref, payload, hash);
}

static TillWireBatch *
make_batch (gint64 first, guint n)
{
  TillWireBatch *batch = till_wire_batch_new ("S001-01", 3);

  batch->acked_base = first - 1;
  batch->sent_us = 1763856000000000;
  batch->head_seq = 77;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *payload = g_strdup_printf (
          "{\"sale\":{\"total\":%u,\"name\":\"可口可乐 \\\"500ml\\\"\"}}", 100 + i);

      g_ptr_array_add (batch->items, make_item (first + i, payload));
    }
  return batch;
}

static GBytes *
bytes_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

START_TEST (test_batch_round_trip)
{
  g_autoptr (TillWireBatch) batch = make_batch (57, 3);
  g_autoptr (GBytes) body = till_wire_batch_encode (batch);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWireBatch) back = till_wire_batch_decode (body, &error);
  g_autofree char *key = NULL;

  ck_assert_msg (back != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (back->till_id, "S001-01");
  ck_assert_uint_eq (back->epoch, 3);
  ck_assert_int_eq (back->acked_base, 56);
  ck_assert_int_eq (back->head_seq, 77);
  ck_assert_uint_eq (back->items->len, 3);
  for (guint i = 0; i < 3; i++)
    {
      TillWireItem *a = g_ptr_array_index (batch->items, i);
      TillWireItem *b = g_ptr_array_index (back->items, i);

      ck_assert_int_eq (a->seq, b->seq);
      /* The payload comes back byte for byte, so its hash still matches. */
      ck_assert_str_eq (a->payload, b->payload);
      ck_assert (till_wire_item_hash_ok (b));
    }
  key = till_wire_batch_key (back);
  ck_assert_str_eq (key, "S001-01:3:57-59");
}
END_TEST

START_TEST (test_batch_tampered_payload)
{
  g_autoptr (TillWireBatch) batch = make_batch (1, 2);
  TillWireItem *item = g_ptr_array_index (batch->items, 1);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (TillWireBatch) back = NULL;

  g_free (item->payload);
  item->payload = g_strdup ("{\"sale\":{\"total\":1}}");
  body = till_wire_batch_encode (batch);
  back = till_wire_batch_decode (body, NULL);

  /* The batch still decodes: only that item is to be rejected. */
  ck_assert_ptr_nonnull (back);
  ck_assert (till_wire_item_hash_ok (g_ptr_array_index (back->items, 0)));
  ck_assert (!till_wire_item_hash_ok (g_ptr_array_index (back->items, 1)));
}
END_TEST

START_TEST (test_batch_refused)
{
  const char *const bodies[] = {
    "",
    "[]",
    "{\"till_id\":\"S001-01\"}",
    /* epoch 0 */
    "{\"till_id\":\"S001-01\",\"epoch\":0,\"acked_base\":0,\"sent_us\":1,\"head_seq\":0,"
    "\"head_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"items\":["
    "]}",
    /* seq as a string */
    "{\"till_id\":\"S001-01\",\"epoch\":1,\"acked_base\":0,\"sent_us\":1,\"head_seq\":0,"
    "\"head_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"items\":"
    "[{\"seq\":\"1\",\"kind\":\"sale\",\"ref\":\"a\",\"sha256\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\",\"payload\":\"{}\"}]}",
    /* seq 1 then 3 */
    "{\"till_id\":\"S001-01\",\"epoch\":1,\"acked_base\":0,\"sent_us\":1,\"head_seq\":0,"
    "\"head_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"items\":"
    "[{\"seq\":1,\"kind\":\"sale\",\"ref\":\"a\",\"sha256\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\",\"payload\":\"{}\"},"
    "{\"seq\":3,\"kind\":\"sale\",\"ref\":\"b\",\"sha256\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\",\"payload\":\"{}\"}]}",
    /* head hash not hex */
    "{\"till_id\":\"S001-01\",\"epoch\":1,\"acked_base\":0,\"sent_us\":1,\"head_seq\":0,"
    "\"head_hash\":\"zz\",\"items\":[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GBytes) body = bytes_of (bodies[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (TillWireBatch) batch = till_wire_batch_decode (body, &error);

      ck_assert_msg (batch == NULL, "body %u was accepted", i);
      ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED));
    }
}
END_TEST

START_TEST (test_batch_too_many_items)
{
  g_autoptr (TillWireBatch) batch = make_batch (1, TILL_WIRE_BATCH_MAX_ITEMS + 1);
  g_autoptr (GBytes) body = till_wire_batch_encode (batch);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWireBatch) back = till_wire_batch_decode (body, &error);

  ck_assert_ptr_null (back);
  ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED));
}
END_TEST

START_TEST (test_ack_round_trip)
{
  g_autoptr (TillWireAck) ack = till_wire_ack_new ();
  g_autoptr (GBytes) body = NULL;
  g_autoptr (TillWireAck) back = NULL;
  g_autoptr (GError) error = NULL;
  const TillWireItemResult *rejected;

  ack->acked_through = 58;
  ack->server_us = 42;
  ack->countersig = g_strdup ("c2ln");
  till_wire_ack_add (ack, 57, TILL_WIRE_ITEM_OK, NULL);
  till_wire_ack_add (ack, 58, TILL_WIRE_ITEM_DUPLICATE, NULL);
  till_wire_ack_add (ack, 59, TILL_WIRE_ITEM_REJECTED, "unknown kind “x”");
  till_wire_ack_add (ack, 60, TILL_WIRE_ITEM_CONFLICT, "another payload");
  body = till_wire_ack_encode (ack);
  back = till_wire_ack_decode (body, &error);

  ck_assert_msg (back != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (back->acked_through, 58);
  ck_assert_str_eq (back->countersig, "c2ln");
  ck_assert_uint_eq (back->items->len, 4);
  rejected = &g_array_index (back->items, TillWireItemResult, 2);
  ck_assert_int_eq (rejected->status, TILL_WIRE_ITEM_REJECTED);
  ck_assert_str_eq (rejected->reason, "unknown kind “x”");
  ck_assert_ptr_null (g_array_index (back->items, TillWireItemResult, 0).reason);
  ck_assert_int_eq (g_array_index (back->items, TillWireItemResult, 3).status,
                    TILL_WIRE_ITEM_CONFLICT);
}
END_TEST

START_TEST (test_ack_refused)
{
  g_autoptr (GBytes) body =
      bytes_of ("{\"acked_through\":1,\"server_us\":1,\"countersig\":\"\",\"items\":"
                "[{\"seq\":1,\"status\":\"maybe\"}]}");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWireAck) ack = till_wire_ack_decode (body, &error);

  ck_assert_ptr_null (ack);
  ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED));
}
END_TEST

START_TEST (test_page_round_trip)
{
  g_autoptr (TillWirePage) page = till_wire_page_new ("prices");
  g_autoptr (JsonNode) data = json_from_string ("{\"sku\":\"6901\",\"price\":350}", NULL);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (TillWirePage) back = NULL;
  g_autoptr (GError) error = NULL;
  TillWireRow *row;

  till_wire_page_add (page, "6901@0", "store:S001", 12, data);
  till_wire_page_add (page, "6902@0", "all", 13, NULL);
  page->next_cursor = 13;
  page->has_more = TRUE;
  body = till_wire_page_encode (page);
  back = till_wire_page_decode (body, &error);

  ck_assert_msg (back != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (back->channel, "prices");
  ck_assert_uint_eq (back->rows->len, 1);
  ck_assert_uint_eq (back->tombstones->len, 1);
  ck_assert_int_eq (back->next_cursor, 13);
  ck_assert (back->has_more);
  ck_assert_int_eq (back->total, -1);
  row = g_ptr_array_index (back->rows, 0);
  ck_assert_str_eq (row->scope, "store:S001");
  ck_assert_int_eq (json_object_get_int_member (json_node_get_object (row->data), "price"), 350);
  row = g_ptr_array_index (back->tombstones, 0);
  ck_assert_ptr_null (row->data);
}
END_TEST

START_TEST (test_page_refused)
{
  const char *const bodies[] = {
    "{\"channel\":\"passwords\",\"rows\":[],\"tombstones\":[],\"next_cursor\":0,\"has_more\":false,"
    "\"total\":0}",
    "{\"channel\":\"items\",\"rows\":[{\"id\":\"a\",\"scope\":\"planet:x\",\"version\":1,\"data\":{"
    "}}],"
    "\"tombstones\":[],\"next_cursor\":1,\"has_more\":false,\"total\":1}",
    "{\"channel\":\"items\",\"rows\":[{\"id\":\"a\",\"scope\":\"all\",\"version\":1,\"data\":[1]}],"
    "\"tombstones\":[],\"next_cursor\":1,\"has_more\":false,\"total\":1}",
    "{\"channel\":\"items\",\"rows\":[],\"tombstones\":[],\"next_cursor\":1,\"has_more\":\"no\","
    "\"total\":1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GBytes) body = bytes_of (bodies[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (TillWirePage) page = till_wire_page_decode (body, &error);

      ck_assert_msg (page == NULL, "page %u was accepted", i);
      ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED));
    }
}
END_TEST

START_TEST (test_scope_rank)
{
  ck_assert_int_eq (till_wire_scope_rank ("all"), 0);
  ck_assert_int_eq (till_wire_scope_rank ("group:G1"), 1);
  ck_assert_int_eq (till_wire_scope_rank ("store:S001"), 2);
  ck_assert_int_eq (till_wire_scope_rank ("store:"), -1);
  ck_assert_int_eq (till_wire_scope_rank ("everyone"), -1);
  ck_assert (till_wire_channel_is_known ("users"));
  ck_assert (!till_wire_channel_is_known ("USERS"));
}
END_TEST

START_TEST (test_token_split)
{
  g_autofree char *secret = NULL, *pin = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (till_wire_token_split (
      "  0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210\n", &secret, &pin,
      &error));
  ck_assert_str_eq (secret, "0123456789abcdef0123456789abcdef");
  ck_assert_str_eq (pin, "fedcba9876543210fedcba9876543210");

  ck_assert (!till_wire_token_split ("0123456789abcdef0123456789abcdef", NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED));
  g_clear_error (&error);
  ck_assert (!till_wire_token_split (
      "0123456789ABCDEF0123456789abcdef.fedcba9876543210fedcba9876543210", NULL, NULL, &error));
}
END_TEST

START_TEST (test_errors)
{
  g_autoptr (GBytes) body = till_wire_error_encode ("令牌已用过");
  g_autofree char *message = till_wire_error_decode (body);
  g_autoptr (GBytes) html = bytes_of ("<html>502 Bad Gateway</html>");
  g_autofree char *none = till_wire_error_decode (html);

  ck_assert_str_eq (message, "令牌已用过");
  ck_assert_ptr_null (none);
}
END_TEST

START_TEST (test_sha256)
{
  g_autofree char *empty = till_wire_sha256_hex ("", 0);

  ck_assert_str_eq (empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

static char *
sign (EVP_PKEY *key, GBytes *data)
{
  guchar      signature[64];
  size_t      len = sizeof signature;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  gsize       data_len;
  const void *bytes = g_bytes_get_data (data, &data_len);

  ck_assert_int_eq (EVP_DigestSignInit (ctx, NULL, NULL, NULL, key), 1);
  ck_assert_int_eq (EVP_DigestSign (ctx, signature, &len, bytes, data_len), 1);
  EVP_MD_CTX_free (ctx);
  return g_base64_encode (signature, len);
}

static char *
public_key_b64 (EVP_PKEY *key)
{
  guchar raw[32];
  size_t len = sizeof raw;

  ck_assert_int_eq (EVP_PKEY_get_raw_public_key (key, raw, &len), 1);
  return g_base64_encode (raw, len);
}

START_TEST (test_countersig_verifies)
{
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  EVP_PKEY *other = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  g_autoptr (GBytes) message = till_wire_countersig_message ("S001-01", 2, 58, 77, "ab");
  g_autoptr (GBytes) changed = till_wire_countersig_message ("S001-01", 2, 59, 77, "ab");
  g_autofree char *signature = sign (key, message);
  g_autofree char *key_b64 = public_key_b64 (key);
  g_autofree char *other_b64 = public_key_b64 (other);
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (memcmp (g_bytes_get_data (message, NULL),
                            "opentill-ack-v1\nS001-01\n2\n58\n77\nab\n",
                            g_bytes_get_size (message)),
                    0);
  ck_assert (till_wire_verify_ed25519 (key_b64, message, signature, &error));
  ck_assert (!till_wire_verify_ed25519 (key_b64, changed, signature, &error));
  ck_assert (g_error_matches (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_SIGNATURE));
  g_clear_error (&error);
  ck_assert (!till_wire_verify_ed25519 (other_b64, message, signature, &error));
  g_clear_error (&error);
  ck_assert (!till_wire_verify_ed25519 (key_b64, message, "bm90IGEgc2lnbmF0dXJl", &error));
  g_clear_error (&error);
  ck_assert (!till_wire_verify_ed25519 (NULL, message, signature, &error));
  EVP_PKEY_free (key);
  EVP_PKEY_free (other);
}
END_TEST

static Suite *
wire_suite (void)
{
  Suite *suite = suite_create ("sync/wire");
  TCase *tcase = tcase_create ("wire");

  tcase_add_test (tcase, test_batch_round_trip);
  tcase_add_test (tcase, test_batch_tampered_payload);
  tcase_add_test (tcase, test_batch_refused);
  tcase_add_test (tcase, test_batch_too_many_items);
  tcase_add_test (tcase, test_ack_round_trip);
  tcase_add_test (tcase, test_ack_refused);
  tcase_add_test (tcase, test_page_round_trip);
  tcase_add_test (tcase, test_page_refused);
  tcase_add_test (tcase, test_scope_rank);
  tcase_add_test (tcase, test_token_split);
  tcase_add_test (tcase, test_errors);
  tcase_add_test (tcase, test_sha256);
  tcase_add_test (tcase, test_countersig_verifies);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (wire_suite ());
}
