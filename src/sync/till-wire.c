/* till-wire.c: the sync protocol's messages, shared by the till and HQ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-wire"

#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "till-wire.h"

G_DEFINE_QUARK (till_wire_error_quark, till_wire_error)

/* Settings first: they carry the store's group (store.group), and a till
 * that moved pulls the new group's rows of every other channel in the same
 * round. */
const char *const till_wire_channels[] = {
  "settings", "categories", "items", "prices", "users", "promotions", "members", NULL,
};

/* --- JSON reading ------------------------------------------------------------ */

/* Parses @body into an object, or fails with MALFORMED naming @what. */
static JsonNode *
parse_object (GBytes *body, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) parse_error = NULL;
  gsize       len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  JsonNode   *root;

  if (data == NULL || len == 0 || !json_parser_load_from_data (parser, data, len, &parse_error))
    {
      g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED, "%s is not JSON: %s", what,
                   parse_error != NULL ? parse_error->message : "empty");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED, "%s is not a JSON object",
                   what);
      return NULL;
    }
  return json_node_ref (root);
}

static gboolean
malformed (GError **error, const char *what, const char *member)
{
  g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED, "%s: “%s” is missing or wrong",
               what, member);
  return FALSE;
}

/* Integer members must be JSON integers; booleans and strings are refused. */
static gboolean
get_int (JsonObject *object, const char *member, gint64 *out, const char *what, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return malformed (error, what, member);
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_string (
    JsonObject *object, const char *member, const char **out, const char *what, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return malformed (error, what, member);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject *object, const char *member, gboolean *out, const char *what, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return malformed (error, what, member);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object, const char *member, const char *what, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      malformed (error, what, member);
      return NULL;
    }
  return json_node_get_array (node);
}

static gboolean
is_hex (const char *text, gsize len)
{
  if (strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static GBytes *
builder_to_bytes (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

/* --- Items and batches ------------------------------------------------------- */

TillWireItem *
till_wire_item_new (
    gint64 seq, const char *kind, const char *ref_uuid, const char *payload, const char *sha256_hex)
{
  TillWireItem *item = g_new0 (TillWireItem, 1);

  item->seq = seq;
  item->kind = g_strdup (kind);
  item->ref_uuid = g_strdup (ref_uuid);
  item->payload = g_strdup (payload);
  item->sha256 = g_strdup (sha256_hex);
  return item;
}

void
till_wire_item_free (TillWireItem *item)
{
  if (item == NULL)
    return;
  g_free (item->kind);
  g_free (item->ref_uuid);
  g_free (item->payload);
  g_free (item->sha256);
  g_free (item);
}

TillWireBatch *
till_wire_batch_new (const char *till_id, guint32 epoch)
{
  TillWireBatch *batch = g_new0 (TillWireBatch, 1);

  batch->till_id = g_strdup (till_id);
  batch->epoch = epoch;
  batch->head_hash = g_strnfill (64, '0');
  batch->items = g_ptr_array_new_with_free_func ((GDestroyNotify) till_wire_item_free);
  return batch;
}

void
till_wire_batch_free (TillWireBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->till_id);
  g_free (batch->head_hash);
  g_ptr_array_unref (batch->items);
  g_free (batch);
}

GBytes *
till_wire_batch_encode (const TillWireBatch *batch)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (batch != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "till_id");
  json_builder_add_string_value (builder, batch->till_id);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, batch->epoch);
  json_builder_set_member_name (builder, "acked_base");
  json_builder_add_int_value (builder, batch->acked_base);
  json_builder_set_member_name (builder, "sent_us");
  json_builder_add_int_value (builder, batch->sent_us);
  json_builder_set_member_name (builder, "head_seq");
  json_builder_add_int_value (builder, batch->head_seq);
  json_builder_set_member_name (builder, "head_hash");
  json_builder_add_string_value (builder, batch->head_hash);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < batch->items->len; i++)
    {
      const TillWireItem *item = g_ptr_array_index (batch->items, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, item->seq);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, item->kind);
      json_builder_set_member_name (builder, "ref");
      json_builder_add_string_value (builder, item->ref_uuid);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, item->sha256);
      json_builder_set_member_name (builder, "payload");
      json_builder_add_string_value (builder, item->payload);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return builder_to_bytes (builder);
}

static TillWireItem *
decode_item (JsonNode *node, GError **error)
{
  const char *what = "a batch item";
  JsonObject *object;
  gint64      seq;
  const char *kind, *ref, *sha256, *payload;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      malformed (error, what, "{}");
      return NULL;
    }
  object = json_node_get_object (node);
  if (!get_int (object, "seq", &seq, what, error) ||
      !get_string (object, "kind", &kind, what, error) ||
      !get_string (object, "ref", &ref, what, error) ||
      !get_string (object, "sha256", &sha256, what, error) ||
      !get_string (object, "payload", &payload, what, error))
    return NULL;
  if (seq <= 0 || *kind == '\0' || *ref == '\0' || !is_hex (sha256, 64))
    {
      g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED,
                   "batch item %" G_GINT64_FORMAT " has an empty kind or ref, or a bad sha256",
                   seq);
      return NULL;
    }
  return till_wire_item_new (seq, kind, ref, payload, sha256);
}

TillWireBatch *
till_wire_batch_decode (GBytes *body, GError **error)
{
  const char *what = "the batch";
  g_autoptr (JsonNode) root = parse_object (body, what, error);
  g_autoptr (TillWireBatch) batch = NULL;
  JsonObject *object;
  JsonArray  *items;
  const char *till_id, *head_hash;
  gint64      epoch;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!get_string (object, "till_id", &till_id, what, error) ||
      !get_int (object, "epoch", &epoch, what, error))
    return NULL;
  if (*till_id == '\0' || epoch <= 0 || epoch > G_MAXUINT32)
    {
      malformed (error, what, *till_id == '\0' ? "till_id" : "epoch");
      return NULL;
    }
  batch = till_wire_batch_new (till_id, (guint32) epoch);
  if (!get_int (object, "acked_base", &batch->acked_base, what, error) ||
      !get_int (object, "sent_us", &batch->sent_us, what, error) ||
      !get_int (object, "head_seq", &batch->head_seq, what, error) ||
      !get_string (object, "head_hash", &head_hash, what, error) ||
      (items = get_array (object, "items", what, error)) == NULL)
    return NULL;
  if (batch->acked_base < 0 || batch->head_seq < 0 || !is_hex (head_hash, 64))
    {
      malformed (error, what, batch->acked_base < 0 ? "acked_base" : "head");
      return NULL;
    }
  g_free (batch->head_hash);
  batch->head_hash = g_strdup (head_hash);

  if (json_array_get_length (items) > TILL_WIRE_BATCH_MAX_ITEMS)
    {
      g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED,
                   "the batch has %u items, more than %d", json_array_get_length (items),
                   TILL_WIRE_BATCH_MAX_ITEMS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      TillWireItem *item = decode_item (json_array_get_element (items, i), error);

      if (item == NULL)
        return NULL;
      if (batch->items->len > 0 &&
          item->seq !=
              ((TillWireItem *) g_ptr_array_index (batch->items, batch->items->len - 1))->seq + 1)
        {
          g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED,
                       "batch item seq %" G_GINT64_FORMAT " does not follow the one before",
                       item->seq);
          till_wire_item_free (item);
          return NULL;
        }
      g_ptr_array_add (batch->items, item);
    }
  return g_steal_pointer (&batch);
}

gboolean
till_wire_item_hash_ok (const TillWireItem *item)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (item != NULL, FALSE);

  hash = till_wire_sha256_hex (item->payload, strlen (item->payload));
  return g_str_equal (hash, item->sha256);
}

char *
till_wire_batch_key (const TillWireBatch *batch)
{
  gint64 first = 0, last = 0;

  g_return_val_if_fail (batch != NULL, NULL);

  if (batch->items->len > 0)
    {
      first = ((TillWireItem *) g_ptr_array_index (batch->items, 0))->seq;
      last = ((TillWireItem *) g_ptr_array_index (batch->items, batch->items->len - 1))->seq;
    }
  return g_strdup_printf ("%s:%u:%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, batch->till_id,
                          batch->epoch, first, last);
}

/* --- Acks -------------------------------------------------------------------- */

static const char *const item_status_names[] = { "ok", "duplicate", "rejected", "conflict" };

const char *
till_wire_item_status_to_string (TillWireItemStatus status)
{
  g_return_val_if_fail (status <= TILL_WIRE_ITEM_CONFLICT, NULL);
  return item_status_names[status];
}

static void
clear_item_result (gpointer data)
{
  TillWireItemResult *result = data;

  g_clear_pointer (&result->reason, g_free);
}

TillWireAck *
till_wire_ack_new (void)
{
  TillWireAck *ack = g_new0 (TillWireAck, 1);

  ack->items = g_array_new (FALSE, TRUE, sizeof (TillWireItemResult));
  g_array_set_clear_func (ack->items, clear_item_result);
  return ack;
}

void
till_wire_ack_add (TillWireAck *ack, gint64 seq, TillWireItemStatus status, const char *reason)
{
  TillWireItemResult result = { seq, status, g_strdup (reason) };

  g_return_if_fail (ack != NULL);
  g_array_append_val (ack->items, result);
}

void
till_wire_ack_free (TillWireAck *ack)
{
  if (ack == NULL)
    return;
  g_array_unref (ack->items);
  g_free (ack->countersig);
  g_free (ack);
}

GBytes *
till_wire_ack_encode (const TillWireAck *ack)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (ack != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "acked_through");
  json_builder_add_int_value (builder, ack->acked_through);
  json_builder_set_member_name (builder, "server_us");
  json_builder_add_int_value (builder, ack->server_us);
  json_builder_set_member_name (builder, "countersig");
  json_builder_add_string_value (builder, ack->countersig != NULL ? ack->countersig : "");
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ack->items->len; i++)
    {
      const TillWireItemResult *result = &g_array_index (ack->items, TillWireItemResult, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, result->seq);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, till_wire_item_status_to_string (result->status));
      if (result->reason != NULL)
        {
          json_builder_set_member_name (builder, "reason");
          json_builder_add_string_value (builder, result->reason);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return builder_to_bytes (builder);
}

static gboolean
parse_item_status (const char *text, TillWireItemStatus *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (item_status_names); i++)
    if (g_str_equal (text, item_status_names[i]))
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

TillWireAck *
till_wire_ack_decode (GBytes *body, GError **error)
{
  const char *what = "HQ's ack";
  g_autoptr (JsonNode) root = parse_object (body, what, error);
  g_autoptr (TillWireAck) ack = NULL;
  JsonObject *object;
  JsonArray  *items;
  const char *countersig;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  ack = till_wire_ack_new ();
  if (!get_int (object, "acked_through", &ack->acked_through, what, error) ||
      !get_int (object, "server_us", &ack->server_us, what, error) ||
      !get_string (object, "countersig", &countersig, what, error) ||
      (items = get_array (object, "items", what, error)) == NULL)
    return NULL;
  ack->countersig = g_strdup (countersig);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode          *node = json_array_get_element (items, i);
      JsonObject        *item;
      gint64             seq;
      const char        *status_text, *reason = NULL;
      TillWireItemStatus status;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          malformed (error, what, "items");
          return NULL;
        }
      item = json_node_get_object (node);
      if (!get_int (item, "seq", &seq, what, error) ||
          !get_string (item, "status", &status_text, what, error))
        return NULL;
      if (!parse_item_status (status_text, &status))
        {
          malformed (error, what, "status");
          return NULL;
        }
      if (json_object_has_member (item, "reason") &&
          !get_string (item, "reason", &reason, what, error))
        return NULL;
      till_wire_ack_add (ack, seq, status, reason);
    }
  return g_steal_pointer (&ack);
}

GBytes *
till_wire_countersig_message (const char *till_id,
                              guint32     epoch,
                              gint64      acked_through,
                              gint64      head_seq,
                              const char *head_hash)
{
  char *text =
      g_strdup_printf ("opentill-ack-v1\n%s\n%u\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%s\n",
                       till_id, epoch, acked_through, head_seq, head_hash);

  return g_bytes_new_take (text, strlen (text));
}

/* --- Pages ------------------------------------------------------------------- */

gboolean
till_wire_channel_is_known (const char *channel)
{
  return channel != NULL && g_strv_contains (till_wire_channels, channel);
}

static void
row_free (TillWireRow *row)
{
  g_free (row->id);
  g_free (row->scope);
  g_clear_pointer (&row->data, json_node_unref);
  g_free (row);
}

TillWirePage *
till_wire_page_new (const char *channel)
{
  TillWirePage *page = g_new0 (TillWirePage, 1);

  page->channel = g_strdup (channel);
  page->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  page->tombstones = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  page->total = -1;
  return page;
}

void
till_wire_page_add (
    TillWirePage *page, const char *id, const char *scope, gint64 version, JsonNode *data)
{
  TillWireRow *row = g_new0 (TillWireRow, 1);

  g_return_if_fail (page != NULL && id != NULL && scope != NULL);

  row->id = g_strdup (id);
  row->scope = g_strdup (scope);
  row->version = version;
  row->data = data != NULL ? json_node_ref (data) : NULL;
  g_ptr_array_add (data != NULL ? page->rows : page->tombstones, row);
}

void
till_wire_page_free (TillWirePage *page)
{
  if (page == NULL)
    return;
  g_free (page->channel);
  g_ptr_array_unref (page->rows);
  g_ptr_array_unref (page->tombstones);
  g_free (page);
}

static void
add_rows (JsonBuilder *builder, const char *member, GPtrArray *rows)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      const TillWireRow *row = g_ptr_array_index (rows, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, row->id);
      json_builder_set_member_name (builder, "scope");
      json_builder_add_string_value (builder, row->scope);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, row->version);
      if (row->data != NULL)
        {
          json_builder_set_member_name (builder, "data");
          json_builder_add_value (builder, json_node_copy (row->data));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

GBytes *
till_wire_page_encode (const TillWirePage *page)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (page != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, page->channel);
  add_rows (builder, "rows", page->rows);
  add_rows (builder, "tombstones", page->tombstones);
  json_builder_set_member_name (builder, "next_cursor");
  json_builder_add_int_value (builder, page->next_cursor);
  json_builder_set_member_name (builder, "has_more");
  json_builder_add_boolean_value (builder, page->has_more);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, page->total);
  json_builder_end_object (builder);
  return builder_to_bytes (builder);
}

static gboolean
decode_rows (TillWirePage *page, JsonArray *rows, gboolean with_data, GError **error)
{
  const char *what = with_data ? "a page row" : "a tombstone";

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode   *node = json_array_get_element (rows, i);
      JsonObject *object;
      JsonNode   *data = NULL;
      const char *id, *scope;
      gint64      version;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return malformed (error, what, "{}");
      object = json_node_get_object (node);
      if (!get_string (object, "id", &id, what, error) ||
          !get_string (object, "scope", &scope, what, error) ||
          !get_int (object, "version", &version, what, error))
        return FALSE;
      if (*id == '\0' || till_wire_scope_rank (scope) < 0 || version <= 0)
        return malformed (error, what, *id == '\0' ? "id" : version <= 0 ? "version" : "scope");
      if (with_data)
        {
          data = json_object_get_member (object, "data");
          if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
            return malformed (error, what, "data");
        }
      till_wire_page_add (page, id, scope, version, data);
    }
  return TRUE;
}

TillWirePage *
till_wire_page_decode (GBytes *body, GError **error)
{
  const char *what = "the page";
  g_autoptr (JsonNode) root = parse_object (body, what, error);
  g_autoptr (TillWirePage) page = NULL;
  JsonObject *object;
  JsonArray  *rows, *tombstones;
  const char *channel;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!get_string (object, "channel", &channel, what, error))
    return NULL;
  if (!till_wire_channel_is_known (channel))
    {
      malformed (error, what, "channel");
      return NULL;
    }
  page = till_wire_page_new (channel);
  if ((rows = get_array (object, "rows", what, error)) == NULL ||
      (tombstones = get_array (object, "tombstones", what, error)) == NULL ||
      !get_int (object, "next_cursor", &page->next_cursor, what, error) ||
      !get_bool (object, "has_more", &page->has_more, what, error) ||
      !get_int (object, "total", &page->total, what, error))
    return NULL;
  if (json_array_get_length (rows) + json_array_get_length (tombstones) > TILL_WIRE_PAGE_MAX_ROWS)
    {
      malformed (error, what, "rows");
      return NULL;
    }
  if (!decode_rows (page, rows, TRUE, error) || !decode_rows (page, tombstones, FALSE, error))
    return NULL;
  return g_steal_pointer (&page);
}

int
till_wire_scope_rank (const char *scope)
{
  if (scope == NULL)
    return -1;
  if (g_str_equal (scope, "all"))
    return 0;
  if (g_str_has_prefix (scope, "group:") && scope[6] != '\0')
    return 1;
  if (g_str_has_prefix (scope, "store:") && scope[6] != '\0')
    return 2;
  return -1;
}

/* --- Enrollment tokens ------------------------------------------------------- */

gboolean
till_wire_token_split (const char *token, char **out_secret, char **out_ca_pin, GError **error)
{
  g_autofree char *trimmed = NULL;
  g_auto (GStrv) parts = NULL;

  g_return_val_if_fail (token != NULL, FALSE);

  /* Store IT copies it from a terminal: spaces around it are not part of it. */
  trimmed = g_strstrip (g_strdup (token));
  parts = g_strsplit (trimmed, ".", -1);
  if (g_strv_length (parts) != 2 || !is_hex (parts[0], 32) || !is_hex (parts[1], 32))
    {
      g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_MALFORMED,
                   "the enrollment token must be two groups of 32 hex digits joined by a dot, as "
                   "“opentill-hq enroll” printed it");
      return FALSE;
    }
  if (out_secret != NULL)
    *out_secret = g_strdup (parts[0]);
  if (out_ca_pin != NULL)
    *out_ca_pin = g_strdup (parts[1]);
  return TRUE;
}

/* --- Errors ------------------------------------------------------------------ */

GBytes *
till_wire_error_encode (const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message != NULL ? message : "");
  json_builder_end_object (builder);
  return builder_to_bytes (builder);
}

char *
till_wire_error_decode (GBytes *body)
{
  g_autoptr (JsonNode) root = parse_object (body, "an error", NULL);
  JsonNode *message;

  if (root == NULL)
    return NULL;
  message = json_object_get_member (json_node_get_object (root), "error");
  if (message == NULL || !JSON_NODE_HOLDS_VALUE (message) ||
      json_node_get_value_type (message) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (message));
}

/* --- Hashes and signatures --------------------------------------------------- */

char *
till_wire_sha256_hex (const void *data, gsize len)
{
  guint8       digest[32];
  unsigned int digest_len = 0;
  GString     *hex = g_string_sized_new (64);

  if (EVP_Digest (data, len, digest, &digest_len, EVP_sha256 (), NULL) != 1 || digest_len != 32)
    g_error ("SHA-256 failed");
  for (guint i = 0; i < digest_len; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

gboolean
till_wire_verify_ed25519 (const char *public_key_b64,
                          GBytes     *data,
                          const char *signature_b64,
                          GError    **error)
{
  g_autofree guchar *key = NULL, *signature = NULL;
  gsize              key_len = 0, signature_len = 0, data_len = 0;
  const guchar      *bytes;
  EVP_PKEY          *pkey = NULL;
  EVP_MD_CTX        *ctx = NULL;
  gboolean           ok = FALSE;

  g_return_val_if_fail (data != NULL, FALSE);

  if (public_key_b64 != NULL)
    key = g_base64_decode (public_key_b64, &key_len);
  if (signature_b64 != NULL)
    signature = g_base64_decode (signature_b64, &signature_len);
  bytes = g_bytes_get_data (data, &data_len);

  if (key_len == 32 && signature_len == 64)
    pkey = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, key, key_len);
  if (pkey != NULL && (ctx = EVP_MD_CTX_new ()) != NULL &&
      EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, pkey) == 1)
    ok = EVP_DigestVerify (ctx, signature, signature_len,
                           bytes != NULL ? bytes : (const guchar *) "", data_len) == 1;
  EVP_MD_CTX_free (ctx);
  EVP_PKEY_free (pkey);

  if (!ok)
    g_set_error (error, TILL_WIRE_ERROR, TILL_WIRE_ERROR_SIGNATURE,
                 key_len != 32         ? "the signing key is not an Ed25519 public key"
                 : signature_len != 64 ? "the signature is missing or not Ed25519"
                                       : "the signature does not match");
  return ok;
}
