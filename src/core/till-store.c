/* till-store.c: the till's SQLite database, its schema and its lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "till-store.h"

/* 'OTIL': tells a till database from any other SQLite file. */
#define TILL_APPLICATION_ID 0x4F54494C

/* Beyond this many WAL frames (about 80 MB with 4 KiB pages) a commit checkpoints
 * on its own, so the log stays bounded even if nobody calls
 * till_store_checkpoint(). */
#define WAL_HARD_LIMIT_PAGES 20000

/* What till_store_checkpoint_if_due() lets the log grow to: SQLite's own default. */
#define WAL_IDLE_CHECKPOINT_PAGES 1000

struct _TillStore
{
  GObject parent_instance;

  char       *path;
  sqlite3    *db;
  int         lock_fd;
  GHashTable *statements; /* SQL text → sqlite3_stmt, finalized with the store */
  int         wal_pages;  /* frames in the write-ahead log after the last commit */
  guint       in_transaction : 1;
};

G_DEFINE_FINAL_TYPE (TillStore, till_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_store_error_quark, till_store_error)

/* Each migration runs once, in order, inside the one transaction that brings the
 * schema up to date; PRAGMA user_version counts the ones applied. Never edit a
 * released migration: append a new one. */
static const char *const migrations[] = {
  /* 1: the first till: catalog, users, the journaled cart, sales and their
   * tenders, stock movements, the signed journal and the sync outbox. */
  "CREATE TABLE setting ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE counter ("
  "  name  TEXT PRIMARY KEY,"
  "  value INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE category ("
  "  id         INTEGER PRIMARY KEY,"
  "  parent_id  INTEGER REFERENCES category (id),"
  "  name       TEXT NOT NULL,"
  "  sort_order INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX category_parent ON category (parent_id);"
  "CREATE TABLE product ("
  "  id           INTEGER PRIMARY KEY,"
  "  sku          TEXT NOT NULL UNIQUE,"
  "  name         TEXT NOT NULL,"
  "  short_name   TEXT,"
  "  pinyin       TEXT NOT NULL DEFAULT '',"
  "  plu          TEXT UNIQUE,"
  "  brand        TEXT,"
  "  unit         TEXT NOT NULL,"
  "  category_id  INTEGER REFERENCES category (id),"
  "  price        INTEGER NOT NULL CHECK (price >= 0),"
  "  member_price INTEGER NOT NULL DEFAULT 0 CHECK (member_price >= 0),"
  "  cost         INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0),"
  "  vat_rate     INTEGER NOT NULL DEFAULT 1300 CHECK (vat_rate BETWEEN 0 AND 10000),"
  "  weighed      INTEGER NOT NULL DEFAULT 0,"
  "  active       INTEGER NOT NULL DEFAULT 1,"
  "  popularity   INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX product_pinyin ON product (pinyin);"
  "CREATE INDEX product_category ON product (category_id);"
  "CREATE INDEX product_popularity ON product (popularity) WHERE popularity > 0;"
  "CREATE TABLE barcode ("
  "  code       TEXT PRIMARY KEY,"
  "  product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE"
  ") WITHOUT ROWID;"
  "CREATE INDEX barcode_product ON barcode (product_id);"
  "CREATE TABLE user ("
  "  id       INTEGER PRIMARY KEY,"
  "  code     TEXT NOT NULL UNIQUE,"
  "  name     TEXT NOT NULL,"
  "  role     TEXT NOT NULL,"
  "  pin_salt BLOB NOT NULL,"
  "  pin_hash BLOB NOT NULL,"
  "  active   INTEGER NOT NULL DEFAULT 1"
  ");"
  "CREATE TABLE cart ("
  "  id         INTEGER PRIMARY KEY CHECK (id = 1),"
  "  sale_uuid  TEXT NOT NULL,"
  "  started_us INTEGER NOT NULL"
  ");"
  "CREATE TABLE cart_line ("
  "  position   INTEGER PRIMARY KEY,"
  "  product_id INTEGER NOT NULL REFERENCES product (id),"
  "  quantity   INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_price INTEGER NOT NULL CHECK (unit_price >= 0)"
  ");"
  "CREATE TABLE journal ("
  "  seq         INTEGER PRIMARY KEY,"
  "  kind        TEXT NOT NULL,"
  "  ref_uuid    TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  body        BLOB NOT NULL,"
  "  body_sha256 BLOB NOT NULL,"
  "  prev_hash   BLOB NOT NULL,"
  "  entry_hash  BLOB NOT NULL,"
  "  sig         BLOB NOT NULL"
  ");"
  "CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal"
  "  BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;"
  "CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal"
  "  BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;"
  "CREATE TABLE sale ("
  "  uuid         TEXT PRIMARY KEY,"
  "  receipt_no   INTEGER NOT NULL UNIQUE,"
  "  till_id      TEXT NOT NULL,"
  "  business_day TEXT NOT NULL,"
  "  created_us   INTEGER NOT NULL,"
  "  cashier_id   INTEGER REFERENCES user (id),"
  "  cashier_code TEXT NOT NULL,"
  "  cashier_name TEXT NOT NULL,"
  "  subtotal     INTEGER NOT NULL,"
  "  rounding     INTEGER NOT NULL,"
  "  total        INTEGER NOT NULL,"
  "  item_count   INTEGER NOT NULL,"
  "  journal_seq  INTEGER NOT NULL UNIQUE REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE INDEX sale_business_day ON sale (business_day);"
  "CREATE TABLE sale_line ("
  "  sale_uuid  TEXT NOT NULL REFERENCES sale (uuid),"
  "  line_no    INTEGER NOT NULL,"
  "  product_id INTEGER NOT NULL,"
  "  sku        TEXT NOT NULL,"
  "  name       TEXT NOT NULL,"
  "  unit       TEXT NOT NULL,"
  "  quantity   INTEGER NOT NULL,"
  "  unit_price INTEGER NOT NULL,"
  "  amount     INTEGER NOT NULL,"
  "  vat_rate   INTEGER NOT NULL,"
  "  weighed    INTEGER NOT NULL,"
  "  PRIMARY KEY (sale_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE payment ("
  "  sale_uuid TEXT NOT NULL REFERENCES sale (uuid),"
  "  line_no   INTEGER NOT NULL,"
  "  method    TEXT NOT NULL,"
  "  amount    INTEGER NOT NULL,"
  "  tendered  INTEGER NOT NULL,"
  "  change    INTEGER NOT NULL,"
  "  reference TEXT,"
  "  PRIMARY KEY (sale_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE stock_move ("
  "  id         INTEGER PRIMARY KEY,"
  "  product_id INTEGER NOT NULL REFERENCES product (id),"
  "  delta      INTEGER NOT NULL,"
  "  reason     TEXT NOT NULL,"
  "  ref_uuid   TEXT,"
  "  created_us INTEGER NOT NULL"
  ");"
  "CREATE INDEX stock_move_product ON stock_move (product_id);"
  "CREATE TABLE outbox ("
  "  seq            INTEGER PRIMARY KEY,"
  "  kind           TEXT NOT NULL,"
  "  ref_uuid       TEXT NOT NULL,"
  "  payload        BLOB NOT NULL,"
  "  payload_sha256 BLOB NOT NULL,"
  "  state          TEXT NOT NULL DEFAULT 'pending',"
  "  attempts       INTEGER NOT NULL DEFAULT 0,"
  "  created_us     INTEGER NOT NULL,"
  "  acked_us       INTEGER"
  ");"
  "CREATE INDEX outbox_pending ON outbox (seq) WHERE state = 'pending';",

  /* 2: the durable print queue (a receipt that could not print waits here, as
   * the exact ESC/POS bytes) and the log of every cash drawer opening. */
  "CREATE TABLE print_job ("
  "  id         INTEGER PRIMARY KEY,"
  "  sale_uuid  TEXT REFERENCES sale (uuid),"
  "  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'drawer', 'test')),"
  "  payload    BLOB NOT NULL,"
  "  state      TEXT NOT NULL DEFAULT 'queued'"
  "             CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
  "  attempts   INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created_us INTEGER NOT NULL,"
  "  printed_us INTEGER"
  ");"
  "CREATE INDEX print_job_pending ON print_job (id) WHERE state IN ('queued', 'printing');"
  "CREATE INDEX print_job_sale ON print_job (sale_uuid);"
  "CREATE TABLE drawer_event ("
  "  id         INTEGER PRIMARY KEY,"
  "  created_us INTEGER NOT NULL,"
  "  reason     TEXT NOT NULL CHECK (reason IN ('sale', 'no-sale', 'test')),"
  "  ref_uuid   TEXT,"
  "  user_code  TEXT"
  ");"
  "CREATE INDEX drawer_event_created ON drawer_event (created_us);",

  /* 3: users' lockout after wrong PINs, badge sign-in, per-user limits and the
   * permissions each role has (issue 5). A NULL limit means the role's default
   * (see till-permission.c); role_permission holds only a manager's edits of the
   * defaults, which live in one table in till-permission.c. */
  "ALTER TABLE user ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0"
  "  CHECK (failed_attempts >= 0);"
  "ALTER TABLE user ADD COLUMN locked_until_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE user ADD COLUMN badge_hash BLOB;"
  "ALTER TABLE user ADD COLUMN max_line_discount_bp INTEGER"
  "  CHECK (max_line_discount_bp IS NULL OR max_line_discount_bp >= -1);"
  "ALTER TABLE user ADD COLUMN max_price_override INTEGER"
  "  CHECK (max_price_override IS NULL OR max_price_override >= -1);"
  "ALTER TABLE user ADD COLUMN max_refund INTEGER"
  "  CHECK (max_refund IS NULL OR max_refund >= -1);"
  "CREATE UNIQUE INDEX user_badge ON user (badge_hash) WHERE badge_hash IS NOT NULL;"
  "CREATE TABLE role_permission ("
  "  role       TEXT NOT NULL,"
  "  permission TEXT NOT NULL,"
  "  allowed    INTEGER NOT NULL CHECK (allowed IN (0, 1)),"
  "  PRIMARY KEY (role, permission)"
  ") WITHOUT ROWID;",

  /* 4: sale control (issue 5): price overrides and discounts on the journaled
   * cart and on recorded sale lines, and held (suspended) sales. Voids leave
   * no rows: the journal records them. original_price is NULL when the line's
   * price was never overridden. */
  "ALTER TABLE cart ADD COLUMN sale_discount_bp INTEGER NOT NULL DEFAULT 0"
  "  CHECK (sale_discount_bp BETWEEN 0 AND 10000);"
  "ALTER TABLE cart ADD COLUMN sale_discount_amount INTEGER NOT NULL DEFAULT 0"
  "  CHECK (sale_discount_amount >= 0);"
  "ALTER TABLE cart_line ADD COLUMN original_price INTEGER CHECK (original_price >= 0);"
  "ALTER TABLE cart_line ADD COLUMN discount_bp INTEGER NOT NULL DEFAULT 0"
  "  CHECK (discount_bp BETWEEN 0 AND 10000);"
  "ALTER TABLE sale_line ADD COLUMN original_price INTEGER;"
  "ALTER TABLE sale_line ADD COLUMN discount_bp INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale_line ADD COLUMN line_discount INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale_line ADD COLUMN sale_discount INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE held_sale ("
  "  id                   INTEGER PRIMARY KEY,"
  "  sale_uuid            TEXT NOT NULL UNIQUE,"
  "  started_us           INTEGER NOT NULL,"
  "  held_us              INTEGER NOT NULL,"
  "  business_day         TEXT NOT NULL,"
  "  cashier_id           INTEGER REFERENCES user (id),"
  "  cashier_code         TEXT NOT NULL,"
  "  cashier_name         TEXT NOT NULL,"
  "  item_count           INTEGER NOT NULL,"
  "  subtotal             INTEGER NOT NULL,"
  "  total                INTEGER NOT NULL,"
  "  sale_discount_bp     INTEGER NOT NULL DEFAULT 0,"
  "  sale_discount_amount INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX held_sale_held ON held_sale (held_us);"
  "CREATE TABLE held_sale_line ("
  "  held_id        INTEGER NOT NULL REFERENCES held_sale (id) ON DELETE CASCADE,"
  "  line_no        INTEGER NOT NULL,"
  "  product_id     INTEGER NOT NULL REFERENCES product (id),"
  "  quantity       INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_price     INTEGER NOT NULL CHECK (unit_price >= 0),"
  "  original_price INTEGER NOT NULL CHECK (original_price >= 0),"
  "  discount_bp    INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),"
  "  PRIMARY KEY (held_id, line_no)"
  ") WITHOUT ROWID;",

  /* 5: returns and after-sales (issue 5). A return (sale_return) refunds
   * lines of a recorded sale (sale_uuid) or, without a receipt, products at a
   * price (sale_uuid NULL); sale_return_line.sale_line_no ties each returned
   * line to the line sold, so what was returned before is the sum over
   * earlier returns. amount, line_discount and sale_discount are the shares
   * of the sold line's figures unwound in proportion. Refunds go out through
   * refund_payment rows, one per tender. Returned goods move into stock or the
   * damaged-goods location (stock_move.location); the drawer log and the print
   * queue learn 'refund' (rebuilt tables: SQLite cannot alter a CHECK; a refund
   * slip's job names its return in print_job.return_uuid). sale_note
   * holds complaints and after-sales notes attached to a sale. */
  "ALTER TABLE stock_move ADD COLUMN location TEXT NOT NULL DEFAULT 'stock'"
  "  CHECK (location IN ('stock', 'damaged'));"
  "CREATE TABLE sale_return ("
  "  uuid               TEXT PRIMARY KEY,"
  "  return_no          INTEGER NOT NULL UNIQUE,"
  "  till_id            TEXT NOT NULL,"
  "  business_day       TEXT NOT NULL,"
  "  created_us         INTEGER NOT NULL,"
  "  sale_uuid          TEXT REFERENCES sale (uuid),"
  "  exchange_sale_uuid TEXT,"
  "  cashier_id         INTEGER REFERENCES user (id),"
  "  cashier_code       TEXT NOT NULL,"
  "  cashier_name       TEXT NOT NULL,"
  "  approver_code      TEXT,"
  "  reason             TEXT NOT NULL,"
  "  subtotal           INTEGER NOT NULL CHECK (subtotal >= 0),"
  "  rounding           INTEGER NOT NULL DEFAULT 0,"
  "  refund_total       INTEGER NOT NULL CHECK (refund_total >= 0),"
  "  journal_seq        INTEGER NOT NULL UNIQUE REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE INDEX sale_return_sale ON sale_return (sale_uuid) WHERE sale_uuid IS NOT NULL;"
  "CREATE INDEX sale_return_day ON sale_return (business_day);"
  "CREATE TABLE sale_return_line ("
  "  return_uuid   TEXT NOT NULL REFERENCES sale_return (uuid),"
  "  line_no       INTEGER NOT NULL,"
  "  sale_line_no  INTEGER,"
  "  product_id    INTEGER NOT NULL,"
  "  sku           TEXT NOT NULL,"
  "  name          TEXT NOT NULL,"
  "  unit          TEXT NOT NULL,"
  "  quantity      INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_price    INTEGER NOT NULL CHECK (unit_price >= 0),"
  "  amount        INTEGER NOT NULL CHECK (amount >= 0),"
  "  line_discount INTEGER NOT NULL DEFAULT 0,"
  "  sale_discount INTEGER NOT NULL DEFAULT 0,"
  "  vat_rate      INTEGER NOT NULL,"
  "  weighed       INTEGER NOT NULL,"
  "  location      TEXT NOT NULL CHECK (location IN ('stock', 'damaged')),"
  "  PRIMARY KEY (return_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE refund_payment ("
  "  return_uuid TEXT NOT NULL REFERENCES sale_return (uuid),"
  "  line_no     INTEGER NOT NULL,"
  "  method      TEXT NOT NULL,"
  "  amount      INTEGER NOT NULL CHECK (amount >= 0),"
  "  reference   TEXT,"
  "  PRIMARY KEY (return_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE sale_note ("
  "  id          INTEGER PRIMARY KEY,"
  "  sale_uuid   TEXT NOT NULL REFERENCES sale (uuid),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('complaint', 'after-sales')),"
  "  text        TEXT NOT NULL CHECK (length (text) > 0),"
  "  user_code   TEXT NOT NULL,"
  "  user_name   TEXT NOT NULL,"
  "  created_us  INTEGER NOT NULL,"
  "  journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq)"
  ");"
  "CREATE INDEX sale_note_sale ON sale_note (sale_uuid);"
  "CREATE TABLE drawer_event_new ("
  "  id         INTEGER PRIMARY KEY,"
  "  created_us INTEGER NOT NULL,"
  "  reason     TEXT NOT NULL CHECK (reason IN ('sale', 'no-sale', 'test', 'refund')),"
  "  ref_uuid   TEXT,"
  "  user_code  TEXT"
  ");"
  "INSERT INTO drawer_event_new SELECT id, created_us, reason, ref_uuid, user_code"
  "  FROM drawer_event;"
  "DROP TABLE drawer_event;"
  "ALTER TABLE drawer_event_new RENAME TO drawer_event;"
  "CREATE INDEX drawer_event_created ON drawer_event (created_us);"
  "CREATE TABLE print_job_new ("
  "  id          INTEGER PRIMARY KEY,"
  "  sale_uuid   TEXT REFERENCES sale (uuid),"
  "  return_uuid TEXT REFERENCES sale_return (uuid),"
  "  kind        TEXT NOT NULL"
  "              CHECK (kind IN ('receipt', 'copy', 'drawer', 'test', 'refund')),"
  "  payload     BLOB NOT NULL,"
  "  state       TEXT NOT NULL DEFAULT 'queued'"
  "              CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
  "  attempts    INTEGER NOT NULL DEFAULT 0,"
  "  last_error  TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  printed_us  INTEGER"
  ");"
  "INSERT INTO print_job_new (id, sale_uuid, kind, payload, state, attempts, last_error,"
  "  created_us, printed_us) SELECT id, sale_uuid, kind, payload, state, attempts,"
  "  last_error, created_us, printed_us FROM print_job;"
  "DROP TABLE print_job;"
  "ALTER TABLE print_job_new RENAME TO print_job;"
  "CREATE INDEX print_job_pending ON print_job (id) WHERE state IN ('queued', 'printing');"
  "CREATE INDEX print_job_sale ON print_job (sale_uuid);",

  /* 6: payments (issue 6). Every tender of a sale names its kind, the masked
   * account (card tail, stored-value card, wallet buyer) and a QR wallet's
   * attempt (out_trade_no). cart_tender holds the tenders applied to the open
   * cart, so a killed till keeps the money it already took. wallet_payment
   * is written before a 付款码 request leaves and carries its state until
   * paid, failed, reversed or stuck; wallet_refund does the same for a
   * return's refund, keyed by the out_refund_no every retry reuses.
   * Stored-value cards keep a ledger of signed entries (the balance is their
   * sum, never a number overwritten); vouchers are single-use codes. A
   * refund tender may wait for its provider (refund_payment.state). */
  "ALTER TABLE payment ADD COLUMN kind TEXT NOT NULL DEFAULT 'cash';"
  "UPDATE payment SET kind = 'exchange' WHERE method = 'exchange';"
  "ALTER TABLE payment ADD COLUMN account TEXT;"
  "ALTER TABLE payment ADD COLUMN attempt TEXT;"
  "ALTER TABLE refund_payment ADD COLUMN kind TEXT NOT NULL DEFAULT 'cash';"
  "UPDATE refund_payment SET kind = 'exchange' WHERE method = 'exchange';"
  "ALTER TABLE refund_payment ADD COLUMN account TEXT;"
  "ALTER TABLE refund_payment ADD COLUMN state TEXT NOT NULL DEFAULT 'done'"
  "  CHECK (state IN ('done', 'pending', 'failed'));"
  "CREATE TABLE cart_tender ("
  "  cart_uuid  TEXT NOT NULL,"
  "  line_no    INTEGER NOT NULL,"
  "  method     TEXT NOT NULL,"
  "  kind       TEXT NOT NULL,"
  "  amount     INTEGER NOT NULL CHECK (amount >= 0),"
  "  tendered   INTEGER NOT NULL,"
  "  change     INTEGER NOT NULL DEFAULT 0,"
  "  reference  TEXT,"
  "  account    TEXT,"
  "  attempt    TEXT,"
  "  created_us INTEGER NOT NULL,"
  "  PRIMARY KEY (cart_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE wallet_payment ("
  "  out_trade_no   TEXT PRIMARY KEY,"
  "  provider       TEXT NOT NULL CHECK (provider IN ('wechat', 'alipay', 'unionpay')),"
  "  cart_uuid      TEXT NOT NULL,"
  "  amount         INTEGER NOT NULL CHECK (amount > 0),"
  "  auth_code      TEXT NOT NULL,"
  "  state          TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed', 'reversing',"
  "                   'reversed', 'stuck', 'deferred')),"
  "  transaction_id TEXT,"
  "  buyer          TEXT,"
  "  error_code     TEXT,"
  "  message        TEXT,"
  "  sale_uuid      TEXT,"
  "  created_us     INTEGER NOT NULL,"
  "  updated_us     INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX wallet_payment_unresolved ON wallet_payment (created_us)"
  "  WHERE state IN ('pending', 'reversing', 'deferred');"
  "CREATE INDEX wallet_payment_cart ON wallet_payment (cart_uuid);"
  "CREATE TABLE wallet_refund ("
  "  out_refund_no TEXT PRIMARY KEY,"
  "  out_trade_no  TEXT NOT NULL REFERENCES wallet_payment (out_trade_no),"
  "  provider      TEXT NOT NULL,"
  "  return_uuid   TEXT NOT NULL REFERENCES sale_return (uuid),"
  "  amount        INTEGER NOT NULL CHECK (amount > 0),"
  "  total         INTEGER NOT NULL,"
  "  state         TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),"
  "  refund_id     TEXT,"
  "  message       TEXT,"
  "  created_us    INTEGER NOT NULL,"
  "  updated_us    INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX wallet_refund_pending ON wallet_refund (created_us) WHERE state = 'pending';"
  "CREATE TABLE sv_account ("
  "  id         INTEGER PRIMARY KEY,"
  "  card_no    TEXT NOT NULL UNIQUE,"
  "  holder     TEXT NOT NULL,"
  "  active     INTEGER NOT NULL DEFAULT 1,"
  "  created_us INTEGER NOT NULL"
  ");"
  "CREATE TABLE sv_ledger ("
  "  op_uuid     TEXT PRIMARY KEY,"
  "  account_id  INTEGER NOT NULL REFERENCES sv_account (id),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('top-up', 'bonus', 'debit', 'credit', 'adjust')),"
  "  amount      INTEGER NOT NULL,"
  "  sale_uuid   TEXT,"
  "  return_uuid TEXT,"
  "  offline     INTEGER NOT NULL DEFAULT 0,"
  "  user_code   TEXT,"
  "  created_us  INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX sv_ledger_account ON sv_ledger (account_id);"
  "CREATE TABLE voucher ("
  "  code         TEXT PRIMARY KEY,"
  "  face_value   INTEGER NOT NULL CHECK (face_value > 0),"
  "  min_spend    INTEGER NOT NULL DEFAULT 0,"
  "  valid_from   TEXT,"
  "  valid_until  TEXT,"
  "  state        TEXT NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'redeemed', 'void')),"
  "  sale_uuid    TEXT,"
  "  redeemed_us  INTEGER"
  ") WITHOUT ROWID;",

  /* 7: sync with HQ (issue 7). outbox rows learn why HQ refused them and
   * when; hq_ack keeps HQ's countersigned head per epoch; sync_cursor is each
   * master-data channel's pull position; master_row holds the rows HQ sent
   * (JSON text, read with SQLite's JSON functions; till-master-data.c checks
   * it before writing, as a CHECK calling json_valid() fails to run under
   * trusted_schema = OFF) and master_shadow a full
   * reload until it is swapped in. Categories and products from HQ are known
   * by code and SKU. */
  "ALTER TABLE outbox ADD COLUMN last_error TEXT;"
  "ALTER TABLE outbox ADD COLUMN last_try_us INTEGER;"
  "ALTER TABLE outbox ADD COLUMN failing_since_us INTEGER;"
  "CREATE INDEX outbox_acked ON outbox (acked_us) WHERE state = 'acked';"
  "CREATE TABLE hq_ack ("
  "  epoch         INTEGER PRIMARY KEY,"
  "  acked_through INTEGER NOT NULL,"
  "  head_seq      INTEGER NOT NULL,"
  "  head_hash     TEXT NOT NULL,"
  "  countersig    TEXT NOT NULL,"
  "  received_us   INTEGER NOT NULL"
  ");"
  "CREATE TABLE sync_cursor ("
  "  channel    TEXT PRIMARY KEY,"
  "  cursor     INTEGER NOT NULL DEFAULT 0,"
  "  reloading  INTEGER NOT NULL DEFAULT 0 CHECK (reloading IN (0, 1)),"
  "  updated_us INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE master_row ("
  "  channel TEXT NOT NULL,"
  "  id      TEXT NOT NULL,"
  "  scope   TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  data    TEXT NOT NULL,"
  "  PRIMARY KEY (channel, id, scope)"
  ") WITHOUT ROWID;"
  "CREATE TABLE master_shadow ("
  "  channel TEXT NOT NULL,"
  "  id      TEXT NOT NULL,"
  "  scope   TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  data    TEXT NOT NULL,"
  "  PRIMARY KEY (channel, id, scope)"
  ") WITHOUT ROWID;"
  "ALTER TABLE category ADD COLUMN code TEXT;"
  "CREATE UNIQUE INDEX category_code ON category (code) WHERE code IS NOT NULL;",

  /* 8: promotions (issue 8). HQ's promotions arrive in master_row (channel
   * "promotions"); promotion holds the till's own, as JSON in the same
   * form (till_promotion_to_json). coupon_use records each use of a coupon
   * code, in the transaction of the sale it was used in. */
  "CREATE TABLE promotion ("
  "  code       TEXT PRIMARY KEY,"
  "  data       TEXT NOT NULL,"
  "  updated_us INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE coupon_use ("
  "  code      TEXT NOT NULL,"
  "  sale_uuid TEXT NOT NULL,"
  "  used_us   INTEGER NOT NULL,"
  "  PRIMARY KEY (code, sale_uuid)"
  ") WITHOUT ROWID;",

  /* 9: promotions at the till (issue 8). cart_coupon journals the coupons
   * presented for the open sale (held_sale.coupons keeps them, space
   * separated, while it waits). A sale records what each promotion saved
   * (sale_promotion, with its kind as till_promotion_kind_to_string
   * writes it), each promotion's share of each line
   * (sale_line_promotion; they add up to sale_line.promotion_discount) and
   * the gifts (sale_line.gift_code: the promotion that gave the line). A
   * return line records its share of the promotion discount it gives back. */
  "CREATE TABLE cart_coupon ("
  "  code     TEXT PRIMARY KEY,"
  "  added_us INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "ALTER TABLE held_sale ADD COLUMN coupons TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE sale_line ADD COLUMN promotion_discount INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale_line ADD COLUMN gift_code TEXT;"
  "CREATE TABLE sale_promotion ("
  "  sale_uuid TEXT NOT NULL REFERENCES sale (uuid),"
  "  code      TEXT NOT NULL,"
  "  name      TEXT NOT NULL,"
  "  kind      TEXT NOT NULL DEFAULT '',"
  "  saving    INTEGER NOT NULL CHECK (saving >= 0),"
  "  times     INTEGER NOT NULL,"
  "  PRIMARY KEY (sale_uuid, code)"
  ") WITHOUT ROWID;"
  "CREATE TABLE sale_line_promotion ("
  "  sale_uuid TEXT NOT NULL,"
  "  line_no   INTEGER NOT NULL,"
  "  code      TEXT NOT NULL,"
  "  amount    INTEGER NOT NULL CHECK (amount > 0),"
  "  PRIMARY KEY (sale_uuid, line_no, code)"
  ") WITHOUT ROWID;"
  "ALTER TABLE sale_return_line ADD COLUMN promotion_discount INTEGER NOT NULL DEFAULT 0;",

  /* 10: members (issue 9). A member's phone, name and birthday are stored
   * only sealed with the member key (till-member-key.h), the phone also as
   * its keyed hash (lookups) and masked text (the screen); an erased member
   * keeps only the id (erased_us). Points are a ledger of signed entries
   * (member_points); the sale names its member (and the masked phone the
   * receipt prints), the points it earned and the balance after it; the
   * open cart, a held sale and a member's stored-value card name their
   * member; sv_top_up is the document of money taken onto a card;
   * member_coupon holds the coupons issued to one member (a code listed
   * there is that member's alone), spent by the sale that used it. */
  "CREATE TABLE member ("
  "  id              TEXT PRIMARY KEY,"
  "  card_no         TEXT UNIQUE,"
  "  phone_hash      BLOB UNIQUE,"
  "  phone_sealed    BLOB,"
  "  phone_masked    TEXT NOT NULL,"
  "  name_sealed     BLOB,"
  "  name_masked     TEXT NOT NULL DEFAULT '',"
  "  birthday_sealed BLOB,"
  "  tier            TEXT NOT NULL DEFAULT '',"
  "  store_id        TEXT NOT NULL DEFAULT '',"
  "  opt_out         INTEGER NOT NULL DEFAULT 0,"
  "  registered_us   INTEGER NOT NULL,"
  "  updated_us      INTEGER NOT NULL,"
  "  erased_us       INTEGER"
  ") WITHOUT ROWID;"
  "CREATE TABLE member_points ("
  "  op_uuid     TEXT PRIMARY KEY,"
  "  member_id   TEXT NOT NULL REFERENCES member (id),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'refund', 'expire', 'adjust')),"
  "  points      INTEGER NOT NULL,"
  "  expires_us  INTEGER NOT NULL DEFAULT 0,"
  "  sale_uuid   TEXT,"
  "  return_uuid TEXT,"
  "  offline     INTEGER NOT NULL DEFAULT 0,"
  "  created_us  INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX member_points_member ON member_points (member_id, created_us);"
  "ALTER TABLE sale ADD COLUMN member_id TEXT;"
  "ALTER TABLE sale ADD COLUMN member_masked TEXT;"
  "ALTER TABLE sale ADD COLUMN points_earned INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale ADD COLUMN points_balance INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX sale_member ON sale (member_id, created_us) WHERE member_id IS NOT NULL;"
  "ALTER TABLE sale_return ADD COLUMN points_refunded INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale_return ADD COLUMN points_clawed_back INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE cart ADD COLUMN member_id TEXT;"
  "ALTER TABLE held_sale ADD COLUMN member_id TEXT;"
  "ALTER TABLE sv_account ADD COLUMN member_id TEXT REFERENCES member (id);"
  "CREATE UNIQUE INDEX sv_account_member ON sv_account (member_id) WHERE member_id IS NOT NULL;"
  "CREATE TABLE sv_top_up ("
  "  uuid         TEXT PRIMARY KEY,"
  "  account_id   INTEGER NOT NULL REFERENCES sv_account (id),"
  "  member_id    TEXT,"
  "  amount       INTEGER NOT NULL CHECK (amount > 0),"
  "  bonus        INTEGER NOT NULL CHECK (bonus >= 0),"
  "  method       TEXT NOT NULL,"
  "  cashier_code TEXT NOT NULL,"
  "  created_us   INTEGER NOT NULL,"
  "  journal_seq  INTEGER NOT NULL REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE TABLE member_coupon ("
  "  code       TEXT PRIMARY KEY,"
  "  member_id  TEXT NOT NULL REFERENCES member (id),"
  "  promotion  TEXT NOT NULL,"
  "  issued_us  INTEGER NOT NULL,"
  "  reason     TEXT NOT NULL DEFAULT '',"
  "  sale_uuid  TEXT,"
  "  used_us    INTEGER"
  ") WITHOUT ROWID;"
  "CREATE INDEX member_coupon_member ON member_coupon (member_id) WHERE sale_uuid IS NULL;"
  "CREATE INDEX sv_ledger_offline ON sv_ledger (created_us) WHERE offline = 1;"
  /* The top-up slip is printed through the durable queue like a receipt. */
  "CREATE TABLE print_job_new ("
  "  id          INTEGER PRIMARY KEY,"
  "  sale_uuid   TEXT REFERENCES sale (uuid),"
  "  return_uuid TEXT REFERENCES sale_return (uuid),"
  "  kind        TEXT NOT NULL"
  "              CHECK (kind IN ('receipt', 'copy', 'drawer', 'test', 'refund', 'top-up')),"
  "  payload     BLOB NOT NULL,"
  "  state       TEXT NOT NULL DEFAULT 'queued'"
  "              CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
  "  attempts    INTEGER NOT NULL DEFAULT 0,"
  "  last_error  TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  printed_us  INTEGER"
  ");"
  "INSERT INTO print_job_new SELECT id, sale_uuid, return_uuid, kind, payload, state, attempts,"
  "  last_error, created_us, printed_us FROM print_job;"
  "DROP TABLE print_job;"
  "ALTER TABLE print_job_new RENAME TO print_job;"
  "CREATE INDEX print_job_pending ON print_job (id) WHERE state IN ('queued', 'printing');"
  "CREATE INDEX print_job_sale ON print_job (sale_uuid);",

  /* 11: shifts and cash accountability (issue 10, till-shift.h). A business
   * day runs from its first act to its Z report (z_no); a shift is one
   * cashier's time at the drawer within a day; at most one of each is open.
   * shift_tally holds each shift's and each day's running totals by metric,
   * written in the transaction of every act they count. The raw rows name
   * their shift and day, so every total can be recomputed. z_report rows,
   * like the journal, are never changed. Drawer openings now also count cash
   * movements and counts; the print queue takes shift and Z reports. */
  "CREATE TABLE business_day ("
  "  uuid      TEXT PRIMARY KEY,"
  "  opened_us INTEGER NOT NULL,"
  "  z_no      INTEGER UNIQUE"
  ") WITHOUT ROWID;"
  "CREATE UNIQUE INDEX business_day_open ON business_day ((1)) WHERE z_no IS NULL;"
  "CREATE TABLE shift ("
  "  uuid            TEXT PRIMARY KEY,"
  "  day_uuid        TEXT NOT NULL REFERENCES business_day (uuid),"
  "  user_code       TEXT NOT NULL,"
  "  user_name       TEXT NOT NULL,"
  "  state           TEXT NOT NULL CHECK (state IN ('open', 'closing', 'closed')),"
  "  opened_us       INTEGER NOT NULL,"
  "  opening_float   INTEGER NOT NULL CHECK (opening_float >= 0),"
  "  float_count     TEXT,"
  "  handover_from   TEXT REFERENCES shift (uuid),"
  "  handed_over     INTEGER NOT NULL DEFAULT -1,"
  "  closing_us      INTEGER,"
  "  counted         INTEGER,"
  "  close_count     TEXT,"
  "  expected        INTEGER,"
  "  variance_reason TEXT,"
  "  approved_by     TEXT,"
  "  closed_us       INTEGER,"
  "  closed_by       TEXT,"
  "  handover        INTEGER NOT NULL DEFAULT 0,"
  "  handover_taken  INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE UNIQUE INDEX shift_current ON shift ((1)) WHERE state <> 'closed';"
  "CREATE INDEX shift_day ON shift (day_uuid, opened_us);"
  "CREATE TABLE shift_tally ("
  "  scope  TEXT NOT NULL,"
  "  metric TEXT NOT NULL,"
  "  count  INTEGER NOT NULL DEFAULT 0,"
  "  amount INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (scope, metric)"
  ") WITHOUT ROWID;"
  "CREATE TABLE cash_movement ("
  "  uuid        TEXT PRIMARY KEY,"
  "  shift_uuid  TEXT NOT NULL REFERENCES shift (uuid),"
  "  day_uuid    TEXT NOT NULL REFERENCES business_day (uuid),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('in', 'out', 'drop')),"
  "  amount      INTEGER NOT NULL CHECK (amount > 0),"
  "  reason      TEXT NOT NULL CHECK (length (reason) > 0),"
  "  user_code   TEXT NOT NULL,"
  "  approved_by TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  journal_seq INTEGER NOT NULL REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE INDEX cash_movement_shift ON cash_movement (shift_uuid);"
  "CREATE TABLE z_report ("
  "  z_no          INTEGER PRIMARY KEY,"
  "  uuid          TEXT NOT NULL UNIQUE,"
  "  day_uuid      TEXT NOT NULL UNIQUE REFERENCES business_day (uuid),"
  "  opened_us     INTEGER NOT NULL,"
  "  closed_us     INTEGER NOT NULL,"
  "  sales_total   INTEGER NOT NULL,"
  "  returns_total INTEGER NOT NULL,"
  "  grand_total   INTEGER NOT NULL,"
  "  grand_sales   INTEGER NOT NULL,"
  "  grand_returns INTEGER NOT NULL,"
  "  user_code     TEXT NOT NULL,"
  "  journal_seq   INTEGER NOT NULL UNIQUE REFERENCES journal (seq)"
  ");"
  "CREATE TRIGGER z_report_append_only_update BEFORE UPDATE ON z_report"
  "  BEGIN SELECT RAISE (ABORT, 'Z reports are never changed'); END;"
  "CREATE TRIGGER z_report_append_only_delete BEFORE DELETE ON z_report"
  "  BEGIN SELECT RAISE (ABORT, 'Z reports are never changed'); END;"
  "ALTER TABLE sale ADD COLUMN shift_uuid TEXT;"
  "ALTER TABLE sale ADD COLUMN day_uuid TEXT;"
  "CREATE INDEX sale_shift ON sale (shift_uuid) WHERE shift_uuid IS NOT NULL;"
  "CREATE INDEX sale_day ON sale (day_uuid) WHERE day_uuid IS NOT NULL;"
  "ALTER TABLE sale_return ADD COLUMN shift_uuid TEXT;"
  "ALTER TABLE sale_return ADD COLUMN day_uuid TEXT;"
  "ALTER TABLE sv_top_up ADD COLUMN shift_uuid TEXT;"
  "ALTER TABLE sv_top_up ADD COLUMN day_uuid TEXT;"
  "CREATE TABLE drawer_event_new ("
  "  id         INTEGER PRIMARY KEY,"
  "  created_us INTEGER NOT NULL,"
  "  reason     TEXT NOT NULL"
  "             CHECK (reason IN ('sale', 'no-sale', 'test', 'refund', 'cash', 'count')),"
  "  ref_uuid   TEXT,"
  "  user_code  TEXT,"
  "  shift_uuid TEXT,"
  "  day_uuid   TEXT"
  ");"
  "INSERT INTO drawer_event_new (id, created_us, reason, ref_uuid, user_code)"
  "  SELECT id, created_us, reason, ref_uuid, user_code FROM drawer_event;"
  "DROP TABLE drawer_event;"
  "ALTER TABLE drawer_event_new RENAME TO drawer_event;"
  "CREATE INDEX drawer_event_created ON drawer_event (created_us);"
  "CREATE TABLE print_job_new ("
  "  id          INTEGER PRIMARY KEY,"
  "  sale_uuid   TEXT REFERENCES sale (uuid),"
  "  return_uuid TEXT REFERENCES sale_return (uuid),"
  "  kind        TEXT NOT NULL"
  "              CHECK (kind IN ('receipt', 'copy', 'drawer', 'test', 'refund', 'top-up',"
  "                              'report')),"
  "  payload     BLOB NOT NULL,"
  "  state       TEXT NOT NULL DEFAULT 'queued'"
  "              CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
  "  attempts    INTEGER NOT NULL DEFAULT 0,"
  "  last_error  TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  printed_us  INTEGER"
  ");"
  "INSERT INTO print_job_new SELECT id, sale_uuid, return_uuid, kind, payload, state, attempts,"
  "  last_error, created_us, printed_us FROM print_job;"
  "DROP TABLE print_job;"
  "ALTER TABLE print_job_new RENAME TO print_job;"
  "CREATE INDEX print_job_pending ON print_job (id) WHERE state IN ('queued', 'printing');"
  "CREATE INDEX print_job_sale ON print_job (sale_uuid);",
  /* 12: inventory (进销存), back office and reports (issue 11: till-stock.h,
   * till-product-admin.h, till-report.h). Stock is the sum of stock_move,
   * which is never changed; stock_level is that sum per product and
   * location, kept by a trigger, so it cannot drift from the movements.
   * Reasons: sale, return, points-gift, receiving, adjustment, stocktake,
   * transfer-out, transfer-in, damage. A sale or return line keeps the
   * product's cost when it was recorded (NULL for older lines). The report_*
   * tables are rollups rebuilt from the raw rows, up to the marks in
   * report_mark. Shelf labels are printed through the durable queue. */
  "CREATE TRIGGER stock_move_append_only_update BEFORE UPDATE ON stock_move"
  "  BEGIN SELECT RAISE (ABORT, 'stock movements are never changed'); END;"
  "CREATE TRIGGER stock_move_append_only_delete BEFORE DELETE ON stock_move"
  "  BEGIN SELECT RAISE (ABORT, 'stock movements are never changed'); END;"
  "ALTER TABLE stock_move ADD COLUMN unit_cost INTEGER CHECK (unit_cost >= 0);"
  "ALTER TABLE stock_move ADD COLUMN user_code TEXT;"
  "DROP INDEX stock_move_product;"
  "CREATE INDEX stock_move_product ON stock_move (product_id, created_us);"
  "CREATE TABLE stock_level ("
  "  product_id INTEGER NOT NULL,"
  "  location   TEXT NOT NULL,"
  "  quantity   INTEGER NOT NULL,"
  "  updated_us INTEGER NOT NULL,"
  "  PRIMARY KEY (product_id, location)"
  ") WITHOUT ROWID;"
  "INSERT INTO stock_level SELECT product_id, location, SUM (delta), MAX (created_us)"
  "  FROM stock_move GROUP BY product_id, location;"
  "CREATE TRIGGER stock_move_level AFTER INSERT ON stock_move BEGIN"
  "  INSERT INTO stock_level (product_id, location, quantity, updated_us)"
  "    VALUES (NEW.product_id, NEW.location, NEW.delta, NEW.created_us)"
  "    ON CONFLICT (product_id, location) DO UPDATE"
  "    SET quantity = quantity + excluded.quantity,"
  "        updated_us = max (updated_us, excluded.updated_us);"
  "END;"
  "CREATE TABLE stock_limit ("
  "  product_id     INTEGER PRIMARY KEY REFERENCES product (id),"
  "  lower          INTEGER CHECK (lower >= 0),"
  "  upper          INTEGER CHECK (upper >= 0),"
  "  lead_time_days INTEGER NOT NULL DEFAULT 2 CHECK (lead_time_days BETWEEN 0 AND 365),"
  "  pack_size      INTEGER NOT NULL DEFAULT 1000 CHECK (pack_size > 0),"
  "  supplier       TEXT,"
  "  CHECK (lower IS NULL OR upper IS NULL OR lower <= upper)"
  ");"
  "ALTER TABLE product ADD COLUMN updated_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sale_line ADD COLUMN unit_cost INTEGER;"
  "ALTER TABLE sale_return_line ADD COLUMN unit_cost INTEGER;"
  "CREATE TABLE purchase_order ("
  "  uuid         TEXT PRIMARY KEY,"
  "  po_no        INTEGER NOT NULL UNIQUE,"
  "  supplier     TEXT NOT NULL DEFAULT '',"
  "  state        TEXT NOT NULL"
  "               CHECK (state IN ('open', 'partial', 'received', 'cancelled')),"
  "  expected_day TEXT,"
  "  note         TEXT,"
  "  created_us   INTEGER NOT NULL,"
  "  created_by   TEXT NOT NULL,"
  "  journal_seq  INTEGER REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE TABLE purchase_order_line ("
  "  po_uuid    TEXT NOT NULL REFERENCES purchase_order (uuid),"
  "  line_no    INTEGER NOT NULL,"
  "  product_id INTEGER NOT NULL REFERENCES product (id),"
  "  quantity   INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_cost  INTEGER NOT NULL CHECK (unit_cost >= 0),"
  "  received   INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),"
  "  PRIMARY KEY (po_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE goods_receipt ("
  "  uuid        TEXT PRIMARY KEY,"
  "  receipt_no  INTEGER NOT NULL UNIQUE,"
  "  po_uuid     TEXT REFERENCES purchase_order (uuid),"
  "  supplier    TEXT NOT NULL DEFAULT '',"
  "  user_code   TEXT NOT NULL,"
  "  total_cost  INTEGER NOT NULL,"
  "  created_us  INTEGER NOT NULL,"
  "  journal_seq INTEGER NOT NULL REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE TABLE goods_receipt_line ("
  "  receipt_uuid TEXT NOT NULL REFERENCES goods_receipt (uuid),"
  "  line_no      INTEGER NOT NULL,"
  "  product_id   INTEGER NOT NULL REFERENCES product (id),"
  "  quantity     INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_cost    INTEGER NOT NULL CHECK (unit_cost >= 0),"
  "  PRIMARY KEY (receipt_uuid, line_no)"
  ") WITHOUT ROWID;"
  "CREATE TABLE stocktake ("
  "  uuid         TEXT PRIMARY KEY,"
  "  stocktake_no INTEGER NOT NULL UNIQUE,"
  "  state        TEXT NOT NULL CHECK (state IN ('counting', 'posted', 'cancelled')),"
  "  category_id  INTEGER REFERENCES category (id),"
  "  started_us   INTEGER NOT NULL,"
  "  started_by   TEXT NOT NULL,"
  "  posted_us    INTEGER,"
  "  posted_by    TEXT,"
  "  journal_seq  INTEGER REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE UNIQUE INDEX stocktake_counting ON stocktake ((1)) WHERE state = 'counting';"
  "CREATE TABLE stocktake_count ("
  "  stocktake_uuid TEXT NOT NULL REFERENCES stocktake (uuid),"
  "  product_id     INTEGER NOT NULL REFERENCES product (id),"
  "  counted        INTEGER NOT NULL CHECK (counted >= 0),"
  "  counted_us     INTEGER NOT NULL,"
  "  expected       INTEGER,"
  "  PRIMARY KEY (stocktake_uuid, product_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE stock_transfer ("
  "  uuid        TEXT PRIMARY KEY,"
  "  transfer_no INTEGER NOT NULL UNIQUE,"
  "  direction   TEXT NOT NULL CHECK (direction IN ('out', 'in')),"
  "  other_store TEXT NOT NULL,"
  "  reference   TEXT,"
  "  note        TEXT,"
  "  user_code   TEXT NOT NULL,"
  "  created_us  INTEGER NOT NULL,"
  "  journal_seq INTEGER NOT NULL REFERENCES journal (seq)"
  ") WITHOUT ROWID;"
  "CREATE TABLE stock_transfer_line ("
  "  transfer_uuid TEXT NOT NULL REFERENCES stock_transfer (uuid),"
  "  line_no       INTEGER NOT NULL,"
  "  product_id    INTEGER NOT NULL REFERENCES product (id),"
  "  quantity      INTEGER NOT NULL CHECK (quantity > 0),"
  "  unit_cost     INTEGER NOT NULL CHECK (unit_cost >= 0),"
  "  PRIMARY KEY (transfer_uuid, line_no)"
  ") WITHOUT ROWID;"
  /* Report rollups (till-report.c owns their shape). */
  "CREATE TABLE report_mark ("
  "  name TEXT PRIMARY KEY,"
  "  seq  INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_sale_hour ("
  "  day           TEXT NOT NULL,"
  "  hour          INTEGER NOT NULL,"
  "  cashier_code  TEXT NOT NULL,"
  "  member        INTEGER NOT NULL,"
  "  sales         INTEGER NOT NULL DEFAULT 0,"
  "  items         INTEGER NOT NULL DEFAULT 0,"
  "  lines         INTEGER NOT NULL DEFAULT 0,"
  "  gross         INTEGER NOT NULL DEFAULT 0,"
  "  discount      INTEGER NOT NULL DEFAULT 0,"
  "  promotion     INTEGER NOT NULL DEFAULT 0,"
  "  net           INTEGER NOT NULL DEFAULT 0,"
  "  cost          INTEGER NOT NULL DEFAULT 0,"
  "  returns       INTEGER NOT NULL DEFAULT 0,"
  "  refunded      INTEGER NOT NULL DEFAULT 0,"
  "  returned_cost INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, hour, cashier_code, member)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_product_day ("
  "  day           TEXT NOT NULL,"
  "  product_id    INTEGER NOT NULL,"
  "  lines         INTEGER NOT NULL DEFAULT 0,"
  "  quantity      INTEGER NOT NULL DEFAULT 0,"
  "  gross         INTEGER NOT NULL DEFAULT 0,"
  "  net           INTEGER NOT NULL DEFAULT 0,"
  "  cost          INTEGER NOT NULL DEFAULT 0,"
  "  returned      INTEGER NOT NULL DEFAULT 0,"
  "  refunded      INTEGER NOT NULL DEFAULT 0,"
  "  returned_cost INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, product_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX report_product_day_product ON report_product_day (product_id, day);"
  "CREATE TABLE report_product_month ("
  "  month         TEXT NOT NULL,"
  "  product_id    INTEGER NOT NULL,"
  "  lines         INTEGER NOT NULL DEFAULT 0,"
  "  quantity      INTEGER NOT NULL DEFAULT 0,"
  "  gross         INTEGER NOT NULL DEFAULT 0,"
  "  net           INTEGER NOT NULL DEFAULT 0,"
  "  cost          INTEGER NOT NULL DEFAULT 0,"
  "  returned      INTEGER NOT NULL DEFAULT 0,"
  "  refunded      INTEGER NOT NULL DEFAULT 0,"
  "  returned_cost INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (month, product_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_tender_day ("
  "  day      TEXT NOT NULL,"
  "  method   TEXT NOT NULL,"
  "  count    INTEGER NOT NULL DEFAULT 0,"
  "  amount   INTEGER NOT NULL DEFAULT 0,"
  "  refunds  INTEGER NOT NULL DEFAULT 0,"
  "  refunded INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, method)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_void_day ("
  "  day          TEXT NOT NULL,"
  "  cashier_code TEXT NOT NULL,"
  "  kind         TEXT NOT NULL,"
  "  count        INTEGER NOT NULL DEFAULT 0,"
  "  amount       INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, cashier_code, kind)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_stock_day ("
  "  product_id INTEGER NOT NULL,"
  "  day        TEXT NOT NULL,"
  "  delta      INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, product_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX report_stock_day_product ON report_stock_day (product_id, day);"
  "CREATE TABLE report_stock_month ("
  "  product_id INTEGER NOT NULL,"
  "  month      TEXT NOT NULL,"
  "  delta      INTEGER NOT NULL DEFAULT 0,"
  "  day_delta  INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (month, product_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE report_member_day ("
  "  member_id TEXT NOT NULL,"
  "  day       TEXT NOT NULL,"
  "  sales     INTEGER NOT NULL DEFAULT 0,"
  "  net       INTEGER NOT NULL DEFAULT 0,"
  "  points    INTEGER NOT NULL DEFAULT 0,"
  "  returns   INTEGER NOT NULL DEFAULT 0,"
  "  refunded  INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (member_id, day)"
  ") WITHOUT ROWID;"
  "CREATE TABLE print_job_new ("
  "  id          INTEGER PRIMARY KEY,"
  "  sale_uuid   TEXT REFERENCES sale (uuid),"
  "  return_uuid TEXT REFERENCES sale_return (uuid),"
  "  kind        TEXT NOT NULL"
  "              CHECK (kind IN ('receipt', 'copy', 'drawer', 'test', 'refund', 'top-up',"
  "                              'report', 'label')),"
  "  payload     BLOB NOT NULL,"
  "  state       TEXT NOT NULL DEFAULT 'queued'"
  "              CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
  "  attempts    INTEGER NOT NULL DEFAULT 0,"
  "  last_error  TEXT,"
  "  created_us  INTEGER NOT NULL,"
  "  printed_us  INTEGER"
  ");"
  "INSERT INTO print_job_new SELECT id, sale_uuid, return_uuid, kind, payload, state, attempts,"
  "  last_error, created_us, printed_us FROM print_job;"
  "DROP TABLE print_job;"
  "ALTER TABLE print_job_new RENAME TO print_job;"
  "CREATE INDEX print_job_pending ON print_job (id) WHERE state IN ('queued', 'printing');"
  "CREATE INDEX print_job_sale ON print_job (sale_uuid);",
};

int
till_store_get_latest_schema_version (void)
{
  return G_N_ELEMENTS (migrations);
}

void
till_stmt_release (TillStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static int
error_code_for_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return TILL_STORE_ERROR_LOCKED;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return TILL_STORE_ERROR_IO;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return TILL_STORE_ERROR_CORRUPT;
    case SQLITE_CONSTRAINT:
      return TILL_STORE_ERROR_CONSTRAINT;
    default:
      return TILL_STORE_ERROR_FAILED;
    }
}

/**
 * till_store_set_error:
 * @what: what the store was doing, for the message
 *
 * Sets @error from the database's last error, with a code the caller can act on
 * (disk trouble is %TILL_STORE_ERROR_IO whatever SQLite's own code).
 */
void
till_store_set_error (TillStore *self, GError **error, const char *what)
{
  int rc = sqlite3_extended_errcode (self->db);

  g_set_error (error, TILL_STORE_ERROR, error_code_for_sqlite (rc), "%s: %s (%s)", what,
               sqlite3_errmsg (self->db), self->path);
}

static gboolean
acquire_lock (TillStore *self, GError **error)
{
  g_autofree char *lock_path = g_strconcat (self->path, ".lock", NULL);
  g_autofree char *pid_text = NULL;

  self->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_IO,
                   _ ("Cannot create the lock file %s: %s"), lock_path, g_strerror (saved_errno));
      return FALSE;
    }

  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      char    holder[32] = { 0 };
      ssize_t n = pread (self->lock_fd, holder, sizeof holder - 1, 0);

      if (n > 0)
        g_strchomp (holder);
      g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_LOCKED,
                   _ ("Another till program (process %s) is already using the database %s. "
                      "Close it before starting this one."),
                   n > 0 ? holder : "?", self->path);
      close (self->lock_fd);
      self->lock_fd = -1;
      return FALSE;
    }

  /* The pid in the file only serves the message above. */
  pid_text = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (self->lock_fd, 0) != 0 ||
      pwrite (self->lock_fd, pid_text, strlen (pid_text), 0) < 0)
    g_debug ("Could not record the pid in the lock file: %s", g_strerror (errno));

  return TRUE;
}

static gboolean
query_int (TillStore *self, const char *sql, int *out_value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      till_store_set_error (self, error, sql);
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (self, error, sql);
      return FALSE;
    }
  *out_value = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Runs after every commit, in place of SQLite's auto-checkpoint: that one would
 * copy the log into the database inside whichever commit crossed 1,000 pages,
 * which is a sale in progress. The till checkpoints when it is idle instead. */
static int
wal_hook_cb (void *user_data, sqlite3 *db, const char *db_name, int n_pages)
{
  TillStore *self = user_data;

  self->wal_pages = n_pages;
  if (n_pages >= WAL_HARD_LIMIT_PAGES)
    {
      g_warning ("The write-ahead log of %s reached %d pages; checkpointing inside a commit",
                 self->path, n_pages);
      if (sqlite3_wal_checkpoint_v2 (db, db_name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
          SQLITE_OK)
        self->wal_pages = 0;
    }
  return SQLITE_OK;
}

static gboolean
configure_connection (TillStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *mode;

  /* Every completed sale must survive a power cut the moment it is acknowledged:
   * WAL for concurrent-free fast commits, FULL so each commit is fsynced. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (self, error, _ ("Cannot open the till database"));
      return FALSE;
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  if (g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_IO,
                   _ ("The till database %s cannot use write-ahead logging (mode %s)"), self->path,
                   mode);
      return FALSE;
    }

  sqlite3_wal_hook (self->db, wal_hook_cb, self);

  return till_store_exec (self,
                          "PRAGMA synchronous = FULL;"
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA trusted_schema = OFF;"
                          "PRAGMA busy_timeout = 0;",
                          error);
}

static gboolean
migrate (TillStore *self, GError **error)
{
  int              version = 0;
  int              application_id = 0;
  int              n_tables = 0;
  int              latest = till_store_get_latest_schema_version ();
  g_autofree char *set_application_id = NULL;

  if (!query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &n_tables, error))
    return FALSE;

  if (application_id != TILL_APPLICATION_ID && n_tables > 0)
    {
      g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_CORRUPT,
                   _ ("%s is not a till database"), self->path);
      return FALSE;
    }
  if (version > latest)
    {
      g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_TOO_NEW,
                   _ ("The till database %s has schema version %d, newer than this program "
                      "knows (%d). Install the newer opentill."),
                   self->path, version, latest);
      return FALSE;
    }
  if (version == latest)
    return TRUE;

  if (!till_store_begin (self, error))
    return FALSE;
  for (int i = version; i < latest; i++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", i + 1);

      if (!till_store_exec (self, migrations[i], error) ||
          !till_store_exec (self, set_version, error))
        {
          till_store_rollback (self);
          g_prefix_error (error, _ ("Updating the database schema to version %d failed: "), i + 1);
          return FALSE;
        }
    }
  set_application_id = g_strdup_printf ("PRAGMA application_id = %d", TILL_APPLICATION_ID);
  if (!till_store_exec (self, set_application_id, error) || !till_store_commit (self, error))
    {
      till_store_rollback (self);
      return FALSE;
    }
  g_info ("Migrated %s from schema %d to %d", self->path, version, latest);
  return TRUE;
}

static void
till_store_finalize (GObject *object)
{
  TillStore *self = (TillStore *) object;

  /* Statements must be finalized before the connection can close. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Closing %s: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }
  /* Closing the descriptor releases the lock. */
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  self->lock_fd = -1;
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (till_store_parent_class)->finalize (object);
}

static void
till_store_class_init (TillStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_store_finalize;
}

static void
till_store_init (TillStore *self)
{
  self->lock_fd = -1;
  self->statements =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) sqlite3_finalize);
}

/**
 * till_store_open:
 * @path: the database file, created when missing
 *
 * Opens the till's database: takes the lock that keeps a second till process off
 * it, configures durability (WAL, synchronous=FULL, foreign keys) and brings the
 * schema up to date in one transaction.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
TillStore *
till_store_open (const char *path, GError **error)
{
  g_autoptr (TillStore) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TILL_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (!acquire_lock (self, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TILL_STORE_ERROR, error_code_for_sqlite (rc),
                   _ ("Cannot open the till database %s: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);

  if (!configure_connection (self, error) || !migrate (self, error))
    return NULL;

  g_debug ("Opened %s with SQLite %s, schema %d", path, sqlite3_libversion (),
           till_store_get_schema_version (self));
  return g_steal_pointer (&self);
}

const char *
till_store_get_path (TillStore *self)
{
  g_return_val_if_fail (TILL_IS_STORE (self), NULL);
  return self->path;
}

sqlite3 *
till_store_get_db (TillStore *self)
{
  g_return_val_if_fail (TILL_IS_STORE (self), NULL);
  return self->db;
}

int
till_store_get_schema_version (TillStore *self)
{
  int version = -1;

  g_return_val_if_fail (TILL_IS_STORE (self), -1);
  if (!query_int (self, "PRAGMA user_version", &version, NULL))
    return -1;
  return version;
}

/**
 * till_store_begin:
 *
 * Starts a write transaction (BEGIN IMMEDIATE). Transactions do not nest.
 */
gboolean
till_store_begin (TillStore *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!till_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

/**
 * till_store_commit:
 *
 * Commits; when this returns %TRUE the data is on disk. On failure the
 * transaction has been rolled back.
 */
gboolean
till_store_commit (TillStore *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!till_store_exec (self, "COMMIT", error))
    {
      till_store_rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

void
till_store_rollback (TillStore *self)
{
  g_return_if_fail (TILL_IS_STORE (self));

  if (!self->in_transaction)
    return;
  self->in_transaction = FALSE;
  /* SQLite may already have rolled back on its own after an I/O error. */
  if (sqlite3_get_autocommit (self->db))
    return;
  if (sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("Rolling back on %s failed: %s", self->path, sqlite3_errmsg (self->db));
}

gboolean
till_store_in_transaction (TillStore *self)
{
  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);
  return self->in_transaction;
}

/**
 * till_store_prepare:
 * @sql: a single statement; the same text returns the same cached statement
 *
 * Returns: (transfer none): a reset statement ready to bind, to be held with
 *   g_autoptr(TillStmt); or %NULL with @error set
 */
TillStmt *
till_store_prepare (TillStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TILL_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      till_store_set_error (self, error, sql);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
till_store_exec (TillStore *self, const char *sql, GError **error)
{
  char *message = NULL;
  int   rc;

  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TILL_STORE_ERROR,
                   error_code_for_sqlite (sqlite3_extended_errcode (self->db)), "%s (%s)",
                   message ? message : sqlite3_errstr (rc), self->path);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_store_step_done:
 *
 * Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
 */
gboolean
till_store_step_done (TillStore *self, TillStmt *stmt, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      till_store_set_error (self, error, sqlite3_sql (stmt));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_store_get_setting:
 *
 * Returns: (transfer full) (nullable): the store setting @key, or %NULL when unset
 */
char *
till_store_get_setting (TillStore *self, const char *key)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (self), NULL);

  stmt = till_store_prepare (self, "SELECT value FROM setting WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

gboolean
till_store_set_setting (TillStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  stmt = till_store_prepare (self,
                             "INSERT INTO setting (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return till_store_step_done (self, stmt, error);
}

/**
 * till_store_next_counter:
 * @name: the counter, e.g. "receipt"
 *
 * Increments and returns a named counter (the first value is 1). Run it inside the
 * transaction that uses the number: a number is then used exactly when that
 * transaction commits, and a committed number is never handed out again.
 *
 * Returns: the new value, or 0 with @error set
 */
gint64
till_store_next_counter (TillStore *self, const char *name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (self), 0);

  stmt = till_store_prepare (self,
                             "INSERT INTO counter (name, value) VALUES (?, 1) "
                             "ON CONFLICT (name) DO UPDATE SET value = value + 1 "
                             "RETURNING value",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (self, error, name);
      return 0;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/**
 * till_store_get_wal_pages:
 *
 * Returns: how many pages the write-ahead log held after the last commit
 */
int
till_store_get_wal_pages (TillStore *self)
{
  g_return_val_if_fail (TILL_IS_STORE (self), 0);
  return self->wal_pages;
}

/**
 * till_store_checkpoint:
 * @truncate: also truncate the log file to zero bytes (end of day)
 *
 * Copies the write-ahead log into the database. The till calls this when it is
 * idle (after a sale has printed, at the end of the day), never while a sale is
 * being recorded; SQLite's automatic checkpoint is off.
 */
gboolean
till_store_checkpoint (TillStore *self, gboolean truncate, GError **error)
{
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL,
                                  truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL);
  if (rc != SQLITE_OK)
    {
      till_store_set_error (self, error, _ ("Checkpointing the database failed"));
      return FALSE;
    }
  self->wal_pages = 0;
  return TRUE;
}

/**
 * till_store_checkpoint_if_due:
 *
 * Checkpoints when the log has grown past the size SQLite itself would keep.
 * The till calls it when idle after each sale; cheap when nothing is due.
 */
gboolean
till_store_checkpoint_if_due (TillStore *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (self), FALSE);

  if (self->wal_pages < WAL_IDLE_CHECKPOINT_PAGES)
    return TRUE;
  return till_store_checkpoint (self, FALSE, error);
}

/**
 * till_store_business_day:
 * Sales, returns and held sales are filed under the business day of their
 * time; today that is the local calendar day.
 */
char *
till_store_business_day (TillStore *self, gint64 when_us)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);

  g_return_val_if_fail (TILL_IS_STORE (self), NULL);
  return g_date_time_format (when, "%Y-%m-%d");
}
