/* till-paysim.c: the WeChat Pay v2, Alipay and aggregator code-payment APIs
 * simulated on loopback HTTP, in a thread of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-paysim"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "till-aggregator-pay.h"
#include "till-alipay.h"
#include "till-paysim.h"
#include "till-wechat-pay.h"

typedef enum
{
  ORDER_PAYING,   /* waiting for the customer's password */
  ORDER_NOTPAY,   /* created, nothing taken (system error before the charge) */
  ORDER_FAILED,   /* refused: no balance */
  ORDER_PAID,     /* money taken */
  ORDER_CLOSED,   /* closed unpaid by a reversal */
  ORDER_REVERSED, /* paid, then reversed: the money went back */
  ORDER_REFUNDED, /* paid, then refunded in full */
} OrderState;

typedef enum
{
  PROVIDER_WECHAT,
  PROVIDER_ALIPAY,
  PROVIDER_AGGREGATOR,
} Provider;

/* The scenario a code plays, from its last two digits (see the header). */
typedef enum
{
  SCENARIO_SUCCESS,
  SCENARIO_PASSWORD,       /* 11 */
  SCENARIO_NEVER_CONFIRMS, /* 12 */
  SCENARIO_NO_BALANCE,     /* 21 */
  SCENARIO_ERROR_UNPAID,   /* 31 */
  SCENARIO_ERROR_PAID,     /* 32 */
  SCENARIO_BAD_REPLY_SIGN, /* 41 */
  SCENARIO_DROP,           /* 51 */
  SCENARIO_STALL,          /* 52 */
  SCENARIO_EXPIRED,        /* 61 */
} Scenario;

/* Queries that still say "paying" in scenario 11 before the order is paid. */
#define PASSWORD_QUERIES 2

typedef struct
{
  char      *out_trade_no;
  Provider   provider;
  char      *auth_code;
  char      *transaction_id;
  gint64     amount;
  Scenario   scenario;
  OrderState state;
  guint      queries;
  guint      charges;
  gint64     refunded;
  gboolean   reversed;
  char      *time_paid; /* yyyyMMddHHmmss */
  /* out_refund_no / out_request_no → the refund's fen (gint64 *) */
  GHashTable *refunds;
} Order;

/* What a handler decided beyond the reply body. */
typedef enum
{
  DELIVER_NOW,
  DELIVER_DROP,
  DELIVER_STALL,
} Delivery;

struct _TillPaySim
{
  GObject parent_instance;

  GMutex mutex;
  GCond  cond;

  /* Under the mutex. */
  char       *wechat_appid;
  char       *wechat_mch_id;
  char       *wechat_api_key;
  char       *alipay_app_id;
  EVP_PKEY   *alipay_app_public_key;
  EVP_PKEY   *alipay_private_key;
  char       *aggregator_terminal_sn;
  char       *aggregator_terminal_key;
  guint       stall_ms;
  guint16     port;
  GHashTable *orders;         /* out_trade_no → Order */
  GHashTable *used_codes;     /* auth_code → out_trade_no of the order that took it */
  GHashTable *request_counts; /* operation → GUINT_TO_POINTER (count) */
  guint       serial;
  char       *url;
  gboolean    ready;
  GError     *start_error;

  /* Set before the thread starts, read by it. */
  GTlsCertificate *server_certificate;
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;

  /* Owned by the server thread. */
  SoupServer *server;
  GPtrArray  *held_messages; /* SoupServerMessage paused by scenarios 51 and 52 */
};

G_DEFINE_FINAL_TYPE (TillPaySim, till_paysim, G_TYPE_OBJECT)

static void
order_free (Order *order)
{
  g_free (order->out_trade_no);
  g_free (order->auth_code);
  g_free (order->transaction_id);
  g_free (order->time_paid);
  g_hash_table_unref (order->refunds);
  g_free (order);
}

static Scenario
scenario_for_code (const char *auth_code)
{
  gsize length = strlen (auth_code);
  int   last_two;

  if (length < 2 || !g_ascii_isdigit (auth_code[length - 2]) ||
      !g_ascii_isdigit (auth_code[length - 1]))
    return SCENARIO_SUCCESS;
  last_two = (auth_code[length - 2] - '0') * 10 + (auth_code[length - 1] - '0');
  switch (last_two)
    {
    case 11:
      return SCENARIO_PASSWORD;
    case 12:
      return SCENARIO_NEVER_CONFIRMS;
    case 21:
      return SCENARIO_NO_BALANCE;
    case 31:
      return SCENARIO_ERROR_UNPAID;
    case 32:
      return SCENARIO_ERROR_PAID;
    case 41:
      return SCENARIO_BAD_REPLY_SIGN;
    case 51:
      return SCENARIO_DROP;
    case 52:
      return SCENARIO_STALL;
    case 61:
      return SCENARIO_EXPIRED;
    default:
      return SCENARIO_SUCCESS;
    }
}

static char *
format_now (const char *format)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, format);
}

static char *
fen_to_yuan (gint64 fen)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", fen / 100, (int) (fen % 100));
}

/* "20.00", "20.5", "20" → fen; -1 for anything else. */
static gint64
yuan_to_fen (const char *text)
{
  gint64      yuan = 0;
  gint64      fen = 0;
  int         decimals = 0;
  const char *p = text;

  if (text == NULL || !g_ascii_isdigit (*p))
    return -1;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (yuan > G_MAXINT64 / 1000)
        return -1;
      yuan = yuan * 10 + (*p - '0');
    }
  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p); p++)
        {
          if (++decimals > 2)
            return -1;
          fen = fen * 10 + (*p - '0');
        }
      if (decimals == 0)
        return -1;
      if (decimals == 1)
        fen *= 10;
    }
  if (*p != '\0')
    return -1;
  return yuan * 100 + fen;
}

/* Called with the mutex held. */
static void
count_request_locked (TillPaySim *self, const char *operation)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->request_counts, operation));

  g_hash_table_replace (self->request_counts, g_strdup (operation), GUINT_TO_POINTER (count + 1));
  g_cond_broadcast (&self->cond);
}

static void
count_request (TillPaySim *self, const char *operation)
{
  g_mutex_lock (&self->mutex);
  count_request_locked (self, operation);
  g_mutex_unlock (&self->mutex);
}

/* Called with the mutex held. */
static char *
new_transaction_id_locked (TillPaySim *self, const char *prefix)
{
  g_autofree char *date = format_now ("%Y%m%d");

  return g_strdup_printf ("%s%s%012u", prefix, date, ++self->serial);
}

static char *
new_nonce (void)
{
  return g_strdup_printf ("%08x%08x%08x", g_random_int (), g_random_int (), g_random_int ());
}

/* Called with the mutex held: the money leaves the customer's account. */
static void
order_charge_locked (TillPaySim *self, Order *order)
{
  const char *prefix = order->provider == PROVIDER_WECHAT   ? "4200"
                       : order->provider == PROVIDER_ALIPAY ? "2088"
                                                            : "7895";

  order->state = ORDER_PAID;
  order->charges++;
  if (order->transaction_id == NULL)
    order->transaction_id = new_transaction_id_locked (self, prefix);
  g_free (order->time_paid);
  order->time_paid = format_now ("%Y%m%d%H%M%S");
}

/* Called with the mutex held. Reversal: unpaid orders close, paid ones are
 * refunded whole. Returns TRUE when money went back. */
static gboolean
order_reverse_locked (Order *order)
{
  gboolean money_back = FALSE;

  switch (order->state)
    {
    case ORDER_PAYING:
    case ORDER_NOTPAY:
    case ORDER_FAILED:
      order->state = ORDER_CLOSED;
      break;
    case ORDER_PAID:
      order->refunded = order->amount;
      order->state = ORDER_REVERSED;
      money_back = TRUE;
      break;
    case ORDER_CLOSED:
    case ORDER_REVERSED:
    case ORDER_REFUNDED:
      break;
    }
  order->reversed = TRUE;
  return money_back;
}

/* Called with the mutex held. A reversal of an order never seen closes the
 * number for good, so a pay request that arrives late is refused. */
static Order *
order_lookup_or_close_locked (TillPaySim *self, const char *out_trade_no, Provider provider)
{
  Order *order = g_hash_table_lookup (self->orders, out_trade_no);

  if (order == NULL)
    {
      order = g_new0 (Order, 1);
      order->out_trade_no = g_strdup (out_trade_no);
      order->provider = provider;
      order->state = ORDER_CLOSED;
      order->refunds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->orders, order->out_trade_no, order);
    }
  return order;
}

/* What a pay request met before the scenario runs. */
typedef enum
{
  PAY_NEW,          /* a new order was created: run the scenario */
  PAY_CODE_EXPIRED, /* code ending 61 */
  PAY_CODE_USED,    /* the code paid another order before */
  PAY_REPEAT,       /* the same out_trade_no again: no new charge */
} PayStart;

/* Called with the mutex held. */
static PayStart
order_start_locked (TillPaySim *self,
                    Provider    provider,
                    const char *out_trade_no,
                    const char *auth_code,
                    gint64      amount,
                    Order     **out_order)
{
  Order      *order = g_hash_table_lookup (self->orders, out_trade_no);
  const char *used_by = g_hash_table_lookup (self->used_codes, auth_code);

  *out_order = order;
  if (order != NULL)
    return PAY_REPEAT;
  if (scenario_for_code (auth_code) == SCENARIO_EXPIRED)
    return PAY_CODE_EXPIRED;
  if (used_by != NULL && g_strcmp0 (used_by, out_trade_no) != 0)
    return PAY_CODE_USED;

  order = g_new0 (Order, 1);
  order->out_trade_no = g_strdup (out_trade_no);
  order->provider = provider;
  order->auth_code = g_strdup (auth_code);
  order->amount = amount;
  order->scenario = scenario_for_code (auth_code);
  order->refunds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (self->orders, order->out_trade_no, order);
  g_hash_table_insert (self->used_codes, g_strdup (auth_code), g_strdup (out_trade_no));

  switch (order->scenario)
    {
    case SCENARIO_PASSWORD:
    case SCENARIO_NEVER_CONFIRMS:
      order->state = ORDER_PAYING;
      break;
    case SCENARIO_NO_BALANCE:
      order->state = ORDER_FAILED;
      break;
    case SCENARIO_ERROR_UNPAID:
      order->state = ORDER_NOTPAY;
      break;
    case SCENARIO_SUCCESS:
    case SCENARIO_ERROR_PAID:
    case SCENARIO_BAD_REPLY_SIGN:
    case SCENARIO_DROP:
    case SCENARIO_STALL:
      order_charge_locked (self, order);
      break;
    case SCENARIO_EXPIRED:
      g_assert_not_reached ();
    }
  *out_order = order;
  return PAY_NEW;
}

/* Called with the mutex held: a query moves scenario 11 on. */
static void
order_query_locked (TillPaySim *self, Order *order)
{
  order->queries++;
  if (order->state == ORDER_PAYING && order->scenario == SCENARIO_PASSWORD &&
      order->queries > PASSWORD_QUERIES)
    order_charge_locked (self, order);
}

/* What a refund request met. */
typedef enum
{
  REFUND_DONE,
  REFUND_REPEAT, /* the same refund number again: nothing more moves */
  REFUND_NO_ORDER,
  REFUND_NOT_PAID,
  REFUND_TOO_MUCH,
  REFUND_BAD_AMOUNT,
} RefundResult;

/* Called with the mutex held. */
static RefundResult
order_refund_locked (TillPaySim *self,
                     const char *out_trade_no,
                     const char *refund_no,
                     gint64      amount,
                     Order     **out_order)
{
  Order  *order = g_hash_table_lookup (self->orders, out_trade_no);
  gint64 *seen;

  *out_order = order;
  if (order == NULL)
    return REFUND_NO_ORDER;
  if (refund_no != NULL && (seen = g_hash_table_lookup (order->refunds, refund_no)) != NULL)
    return *seen == amount ? REFUND_REPEAT : REFUND_BAD_AMOUNT;
  if (order->state != ORDER_PAID)
    return order->state == ORDER_REFUNDED ? REFUND_TOO_MUCH : REFUND_NOT_PAID;
  if (amount <= 0)
    return REFUND_BAD_AMOUNT;
  if (amount > order->amount - order->refunded)
    return REFUND_TOO_MUCH;

  order->refunded += amount;
  if (order->refunded == order->amount)
    order->state = ORDER_REFUNDED;
  seen = g_new (gint64, 1);
  *seen = amount;
  g_hash_table_insert (order->refunds, g_strdup (refund_no != NULL ? refund_no : out_trade_no),
                       seen);
  return REFUND_DONE;
}

/* Scenarios 51 and 52 hold the message after the charge. */
typedef struct
{
  TillPaySim        *self; /* not a reference: the thread is joined before finalize */
  SoupServerMessage *message;
} HeldMessage;

static gboolean
drop_connection_cb (gpointer user_data)
{
  HeldMessage *held = user_data;
  g_autoptr (GIOStream) stream = NULL;

  /* The money is taken; the till hears nothing but a closed connection. */
  if (g_ptr_array_remove (held->self->held_messages, held->message))
    {
      stream = soup_server_message_steal_connection (held->message);
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      g_object_unref (held->message);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
end_stall_cb (gpointer user_data)
{
  HeldMessage *held = user_data;

  if (g_ptr_array_remove (held->self->held_messages, held->message))
    {
      soup_server_message_unpause (held->message);
      g_object_unref (held->message);
    }
  return G_SOURCE_REMOVE;
}

static void
deliver (TillPaySim        *self,
         SoupServerMessage *message,
         guint              status,
         const char        *content_type,
         char              *body, /* taken */
         Delivery           delivery)
{
  HeldMessage *held;
  GSource     *source;
  guint        stall_ms;

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, content_type, SOUP_MEMORY_TAKE, body,
                                    body != NULL ? strlen (body) : 0);
  if (delivery == DELIVER_NOW)
    return;

  g_mutex_lock (&self->mutex);
  stall_ms = self->stall_ms;
  g_mutex_unlock (&self->mutex);

  soup_server_message_pause (message);
  g_ptr_array_add (self->held_messages, g_object_ref (message));
  held = g_new (HeldMessage, 1);
  held->self = self;
  held->message = message;
  if (delivery == DELIVER_DROP)
    source = g_idle_source_new ();
  else
    source = g_timeout_source_new (stall_ms);
  g_source_set_callback (source, delivery == DELIVER_DROP ? drop_connection_cb : end_stall_cb, held,
                         g_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static Delivery
delivery_for (const Order *order)
{
  if (order->scenario == SCENARIO_DROP)
    return DELIVER_DROP;
  if (order->scenario == SCENARIO_STALL)
    return DELIVER_STALL;
  return DELIVER_NOW;
}

static char *
dup_request_body (SoupServerMessage *message, gsize *out_length)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (request_body);
  gsize       length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (out_length != NULL)
    *out_length = length;
  return g_strndup (data != NULL ? data : "", length);
}

/* --- WeChat Pay v2 ------------------------------------------------------- */

typedef struct
{
  char              *appid;
  char              *mch_id;
  char              *api_key;
  TillWechatSignType sign_type;
  char              *device_info;
} WechatRequest;

static void
wechat_request_clear (WechatRequest *request)
{
  g_free (request->appid);
  g_free (request->mch_id);
  g_free (request->api_key);
  g_free (request->device_info);
}

static char *
wechat_fail_xml (const char *return_msg)
{
  g_autoptr (GHashTable) reply = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (reply, "return_code", "FAIL");
  g_hash_table_insert (reply, "return_msg", (char *) return_msg);
  return till_wechat_xml_encode (reply);
}

/* A reply table with the common fields; values owned by the table. */
static GHashTable *
wechat_reply_new (const WechatRequest *request)
{
  GHashTable *reply = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (reply, g_strdup ("return_code"), g_strdup ("SUCCESS"));
  g_hash_table_insert (reply, g_strdup ("return_msg"), g_strdup ("OK"));
  g_hash_table_insert (reply, g_strdup ("appid"), g_strdup (request->appid));
  g_hash_table_insert (reply, g_strdup ("mch_id"), g_strdup (request->mch_id));
  g_hash_table_insert (reply, g_strdup ("nonce_str"), new_nonce ());
  if (request->device_info != NULL)
    g_hash_table_insert (reply, g_strdup ("device_info"), g_strdup (request->device_info));
  return reply;
}

static void
wechat_set (GHashTable *reply, const char *name, const char *value)
{
  g_hash_table_replace (reply, g_strdup (name), g_strdup (value));
}

static void
wechat_set_fen (GHashTable *reply, const char *name, gint64 fen)
{
  g_hash_table_replace (reply, g_strdup (name), g_strdup_printf ("%" G_GINT64_FORMAT, fen));
}

static void
wechat_set_error (GHashTable *reply, const char *err_code, const char *err_code_des)
{
  wechat_set (reply, "result_code", "FAIL");
  wechat_set (reply, "err_code", err_code);
  wechat_set (reply, "err_code_des", err_code_des);
}

/* Called with the mutex held. */
static void
wechat_set_paid_fields_locked (GHashTable *reply, const Order *order)
{
  wechat_set (reply, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  wechat_set (reply, "is_subscribe", "N");
  wechat_set (reply, "trade_type", "MICROPAY");
  wechat_set (reply, "bank_type", "CMC");
  wechat_set (reply, "fee_type", "CNY");
  wechat_set_fen (reply, "total_fee", order->amount);
  wechat_set (reply, "cash_fee_type", "CNY");
  wechat_set_fen (reply, "cash_fee", order->amount);
  wechat_set (reply, "transaction_id", order->transaction_id);
  wechat_set (reply, "out_trade_no", order->out_trade_no);
  wechat_set (reply, "time_end", order->time_paid);
}

static char *
wechat_sign_reply (const WechatRequest *request, GHashTable *reply, gboolean wrong_key)
{
  g_autofree char *bad_key = g_strconcat (request->api_key, "x", NULL);
  char            *sign;

  sign = till_wechat_sign (reply, wrong_key ? bad_key : request->api_key, request->sign_type);
  g_hash_table_replace (reply, g_strdup ("sign"), sign);
  return till_wechat_xml_encode (reply);
}

/* Parses and authenticates a WeChat request: NULL with the FAIL reply
 * already set when it is refused. */
static GHashTable *
wechat_read_request (TillPaySim        *self,
                     SoupServerMessage *message,
                     WechatRequest     *request,
                     gboolean           needs_certificate)
{
  gsize            length;
  g_autofree char *body = dup_request_body (message, &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) params = NULL;
  const char *sign_type;
  gboolean    matches;

  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    {
      deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_fail_xml ("请使用post方法"),
               DELIVER_NOW);
      return NULL;
    }
  if (needs_certificate && self->server_certificate != NULL &&
      soup_server_message_get_tls_peer_certificate (message) == NULL)
    {
      deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_fail_xml ("证书错误"),
               DELIVER_NOW);
      return NULL;
    }
  params = till_wechat_xml_decode (body, length, &error);
  if (params == NULL)
    {
      deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_fail_xml ("XML格式错误"),
               DELIVER_NOW);
      return NULL;
    }

  g_mutex_lock (&self->mutex);
  request->appid = g_strdup (self->wechat_appid);
  request->mch_id = g_strdup (self->wechat_mch_id);
  request->api_key = g_strdup (self->wechat_api_key);
  g_mutex_unlock (&self->mutex);
  request->device_info = g_strdup (g_hash_table_lookup (params, "device_info"));

  sign_type = g_hash_table_lookup (params, "sign_type");
  if (sign_type == NULL || g_strcmp0 (sign_type, "MD5") == 0)
    request->sign_type = TILL_WECHAT_SIGN_MD5;
  else if (g_strcmp0 (sign_type, "HMAC-SHA256") == 0)
    request->sign_type = TILL_WECHAT_SIGN_HMAC_SHA256;
  else
    {
      deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_fail_xml ("签名类型错误"),
               DELIVER_NOW);
      return NULL;
    }

  matches = request->api_key != NULL &&
            g_strcmp0 (g_hash_table_lookup (params, "appid"), request->appid) == 0 &&
            g_strcmp0 (g_hash_table_lookup (params, "mch_id"), request->mch_id) == 0;
  if (!matches || !till_wechat_verify (params, request->api_key, request->sign_type))
    {
      deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_fail_xml ("签名错误"),
               DELIVER_NOW);
      return NULL;
    }
  return g_steal_pointer (&params);
}

static void
wechat_micropay_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  TillPaySim   *self = user_data;
  WechatRequest request = { 0 };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GHashTable) reply = NULL;
  const char *out_trade_no;
  const char *auth_code;
  gint64      amount;
  Order      *order = NULL;
  Delivery    delivery = DELIVER_NOW;
  gboolean    wrong_sign = FALSE;

  count_request (self, "pay");
  params = wechat_read_request (self, message, &request, FALSE);
  if (params == NULL)
    goto out;

  reply = wechat_reply_new (&request);
  out_trade_no = g_hash_table_lookup (params, "out_trade_no");
  auth_code = g_hash_table_lookup (params, "auth_code");
  amount = _till_wallet_client_parse_fen (g_hash_table_lookup (params, "total_fee"));
  if (out_trade_no == NULL || auth_code == NULL || g_hash_table_lookup (params, "body") == NULL ||
      amount <= 0)
    {
      wechat_set_error (reply, "PARAM_ERROR", "参数错误");
      goto reply;
    }
  if (strlen (auth_code) != 18 || auth_code[0] != '1' || auth_code[1] < '0' || auth_code[1] > '5')
    {
      wechat_set_error (reply, "AUTH_CODE_INVALID",
                        "请扫描微信支付授权码(以10/11/12/13/14/15为前缀的18位数字)");
      goto reply;
    }

  g_mutex_lock (&self->mutex);
  switch (order_start_locked (self, PROVIDER_WECHAT, out_trade_no, auth_code, amount, &order))
    {
    case PAY_CODE_EXPIRED:
      wechat_set_error (reply, "AUTHCODEEXPIRE", "101 付款码已过期,请退出重试");
      break;
    case PAY_CODE_USED:
      wechat_set_error (reply, "AUTH_CODE_INVALID", "101 每个二维码仅限使用一次,请刷新再试");
      break;
    case PAY_REPEAT:
      if (order->state == ORDER_PAID)
        wechat_set_error (reply, "ORDERPAID", "订单已支付");
      else if (order->state == ORDER_CLOSED)
        wechat_set_error (reply, "ORDERCLOSED", "订单已关闭");
      else if (order->state == ORDER_REVERSED)
        wechat_set_error (reply, "ORDERREVERSED", "订单已撤销");
      else if (order->state == ORDER_PAYING)
        wechat_set_error (reply, "USERPAYING", "需要用户输入支付密码");
      else
        wechat_set_error (reply, "OUT_TRADE_NO_USED", "商户订单号重复");
      break;
    case PAY_NEW:
      switch (order->scenario)
        {
        case SCENARIO_PASSWORD:
        case SCENARIO_NEVER_CONFIRMS:
          wechat_set_error (reply, "USERPAYING", "需要用户输入支付密码");
          break;
        case SCENARIO_NO_BALANCE:
          wechat_set_error (reply, "NOTENOUGH", "余额不足");
          break;
        case SCENARIO_ERROR_UNPAID:
        case SCENARIO_ERROR_PAID:
          wechat_set_error (reply, "SYSTEMERROR", "系统超时");
          break;
        case SCENARIO_BAD_REPLY_SIGN:
          wrong_sign = TRUE;
          G_GNUC_FALLTHROUGH;
        case SCENARIO_SUCCESS:
        case SCENARIO_DROP:
        case SCENARIO_STALL:
          wechat_set (reply, "result_code", "SUCCESS");
          wechat_set_paid_fields_locked (reply, order);
          delivery = delivery_for (order);
          break;
        case SCENARIO_EXPIRED:
          g_assert_not_reached ();
        }
      break;
    }
  g_mutex_unlock (&self->mutex);

reply:
  if (g_hash_table_lookup (params, "attach") != NULL)
    wechat_set (reply, "attach", g_hash_table_lookup (params, "attach"));
  deliver (self, message, SOUP_STATUS_OK, "text/xml",
           wechat_sign_reply (&request, reply, wrong_sign), delivery);
out:
  wechat_request_clear (&request);
}

static const char *
wechat_trade_state (const Order *order, const char **out_description)
{
  switch (order->state)
    {
    case ORDER_PAYING:
      *out_description = "需要用户输入支付密码";
      return "USERPAYING";
    case ORDER_NOTPAY:
      *out_description = "订单未支付";
      return "NOTPAY";
    case ORDER_FAILED:
      *out_description = "支付失败，余额不足";
      return "PAYERROR";
    case ORDER_PAID:
      *out_description = "支付成功";
      return order->refunded > 0 ? "REFUND" : "SUCCESS";
    case ORDER_CLOSED:
    case ORDER_REVERSED:
      *out_description = "已撤销";
      return order->reversed ? "REVOKED" : "CLOSED";
    case ORDER_REFUNDED:
      *out_description = "转入退款";
      return "REFUND";
    }
  g_assert_not_reached ();
}

static void
wechat_orderquery_cb (SoupServer        *server,
                      SoupServerMessage *message,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  TillPaySim   *self = user_data;
  WechatRequest request = { 0 };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GHashTable) reply = NULL;
  const char *out_trade_no;
  const char *description = NULL;
  Order      *order;

  count_request (self, "query");
  params = wechat_read_request (self, message, &request, FALSE);
  if (params == NULL)
    goto out;

  reply = wechat_reply_new (&request);
  out_trade_no = g_hash_table_lookup (params, "out_trade_no");
  g_mutex_lock (&self->mutex);
  order = out_trade_no != NULL ? g_hash_table_lookup (self->orders, out_trade_no) : NULL;
  if (order == NULL || order->auth_code == NULL)
    wechat_set_error (reply, "ORDERNOTEXIST", "此交易订单号不存在");
  else
    {
      order_query_locked (self, order);
      wechat_set (reply, "result_code", "SUCCESS");
      wechat_set (reply, "out_trade_no", order->out_trade_no);
      wechat_set (reply, "trade_state", wechat_trade_state (order, &description));
      wechat_set (reply, "trade_state_desc", description);
      if (order->transaction_id != NULL)
        wechat_set_paid_fields_locked (reply, order);
      else
        wechat_set_fen (reply, "total_fee", order->amount);
    }
  g_mutex_unlock (&self->mutex);
  deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_sign_reply (&request, reply, FALSE),
           DELIVER_NOW);
out:
  wechat_request_clear (&request);
}

static void
wechat_reverse_cb (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  TillPaySim   *self = user_data;
  WechatRequest request = { 0 };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GHashTable) reply = NULL;
  const char *out_trade_no;
  Order      *order;

  count_request (self, "reverse");
  params = wechat_read_request (self, message, &request, TRUE);
  if (params == NULL)
    goto out;

  reply = wechat_reply_new (&request);
  out_trade_no = g_hash_table_lookup (params, "out_trade_no");
  if (out_trade_no == NULL)
    {
      wechat_set_error (reply, "PARAM_ERROR", "参数错误");
      wechat_set (reply, "recall", "N");
    }
  else
    {
      g_mutex_lock (&self->mutex);
      order = order_lookup_or_close_locked (self, out_trade_no, PROVIDER_WECHAT);
      order_reverse_locked (order);
      g_mutex_unlock (&self->mutex);
      wechat_set (reply, "result_code", "SUCCESS");
      wechat_set (reply, "recall", "N");
    }
  deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_sign_reply (&request, reply, FALSE),
           DELIVER_NOW);
out:
  wechat_request_clear (&request);
}

static void
wechat_refund_cb (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  TillPaySim   *self = user_data;
  WechatRequest request = { 0 };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GHashTable) reply = NULL;
  const char  *out_trade_no;
  const char  *out_refund_no;
  gint64       total;
  gint64       amount;
  Order       *order = NULL;
  RefundResult result;

  count_request (self, "refund");
  params = wechat_read_request (self, message, &request, TRUE);
  if (params == NULL)
    goto out;

  reply = wechat_reply_new (&request);
  out_trade_no = g_hash_table_lookup (params, "out_trade_no");
  out_refund_no = g_hash_table_lookup (params, "out_refund_no");
  total = _till_wallet_client_parse_fen (g_hash_table_lookup (params, "total_fee"));
  amount = _till_wallet_client_parse_fen (g_hash_table_lookup (params, "refund_fee"));
  if (out_trade_no == NULL || out_refund_no == NULL || total <= 0 || amount <= 0)
    {
      wechat_set_error (reply, "PARAM_ERROR", "参数错误");
      goto reply;
    }

  g_mutex_lock (&self->mutex);
  order = g_hash_table_lookup (self->orders, out_trade_no);
  if (order != NULL && order->amount != total)
    result = REFUND_BAD_AMOUNT;
  else
    result = order_refund_locked (self, out_trade_no, out_refund_no, amount, &order);
  switch (result)
    {
    case REFUND_DONE:
    case REFUND_REPEAT:
      wechat_set (reply, "result_code", "SUCCESS");
      wechat_set (reply, "transaction_id", order->transaction_id);
      wechat_set (reply, "out_trade_no", order->out_trade_no);
      wechat_set (reply, "out_refund_no", out_refund_no);
      {
        g_autofree char *refund_id =
            g_strdup_printf ("50000%s%s", order->transaction_id + 4, out_refund_no);
        wechat_set (reply, "refund_id", refund_id);
      }
      wechat_set_fen (reply, "refund_fee", amount);
      wechat_set_fen (reply, "total_fee", order->amount);
      wechat_set_fen (reply, "cash_fee", order->amount);
      wechat_set_fen (reply, "cash_refund_fee", amount);
      break;
    case REFUND_NO_ORDER:
      wechat_set_error (reply, "ORDERNOTEXIST", "订单不存在");
      break;
    case REFUND_NOT_PAID:
      wechat_set_error (reply, "TRADE_STATE_ERROR", "订单状态错误");
      break;
    case REFUND_TOO_MUCH:
      wechat_set_error (reply, "INVALID_REQUEST", "累计退款金额大于支付金额");
      break;
    case REFUND_BAD_AMOUNT:
      wechat_set_error (reply, "INVALID_REQUEST",
                        "订单金额或退款金额与之前请求不一致，请核实后再试");
      break;
    }
  g_mutex_unlock (&self->mutex);

reply:
  deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_sign_reply (&request, reply, FALSE),
           DELIVER_NOW);
out:
  wechat_request_clear (&request);
}

typedef struct
{
  const char *refund_no;
  gint64      amount;
} RefundEntry;

static int
compare_refund_entries (gconstpointer a, gconstpointer b)
{
  const RefundEntry *left = a;
  const RefundEntry *right = b;

  return strcmp (left->refund_no, right->refund_no);
}

static void
wechat_refundquery_cb (SoupServer        *server,
                       SoupServerMessage *message,
                       const char        *path,
                       GHashTable        *query,
                       gpointer           user_data)
{
  TillPaySim   *self = user_data;
  WechatRequest request = { 0 };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GHashTable) reply = NULL;
  const char *out_trade_no;
  const char *out_refund_no;
  Order      *order = NULL;

  count_request (self, "refund_query");
  params = wechat_read_request (self, message, &request, FALSE);
  if (params == NULL)
    goto out;

  reply = wechat_reply_new (&request);
  out_trade_no = g_hash_table_lookup (params, "out_trade_no");
  out_refund_no = g_hash_table_lookup (params, "out_refund_no");

  g_mutex_lock (&self->mutex);
  if (out_trade_no != NULL)
    order = g_hash_table_lookup (self->orders, out_trade_no);
  else if (out_refund_no != NULL)
    {
      GHashTableIter iter;
      gpointer       value;

      g_hash_table_iter_init (&iter, self->orders);
      while (order == NULL && g_hash_table_iter_next (&iter, NULL, &value))
        if (g_hash_table_contains (((Order *) value)->refunds, out_refund_no))
          order = value;
    }
  if (order == NULL || g_hash_table_size (order->refunds) == 0 ||
      (out_refund_no != NULL && !g_hash_table_contains (order->refunds, out_refund_no)))
    wechat_set_error (reply, "REFUNDNOTEXIST", "退款订单查询失败");
  else
    {
      g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (RefundEntry));
      GHashTableIter iter;
      gpointer       key;
      gpointer       value;

      g_hash_table_iter_init (&iter, order->refunds);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          RefundEntry entry = { key, *(gint64 *) value };

          if (out_refund_no == NULL || strcmp (key, out_refund_no) == 0)
            g_array_append_val (entries, entry);
        }
      g_array_sort (entries, compare_refund_entries);

      wechat_set (reply, "result_code", "SUCCESS");
      wechat_set (reply, "transaction_id", order->transaction_id);
      wechat_set (reply, "out_trade_no", order->out_trade_no);
      wechat_set_fen (reply, "total_fee", order->amount);
      wechat_set_fen (reply, "cash_fee", order->amount);
      wechat_set_fen (reply, "refund_count", entries->len);
      for (guint i = 0; i < entries->len; i++)
        {
          const RefundEntry *entry = &g_array_index (entries, RefundEntry, i);
          g_autofree char   *no_name = g_strdup_printf ("out_refund_no_%u", i);
          g_autofree char   *fee_name = g_strdup_printf ("refund_fee_%u", i);
          g_autofree char   *status_name = g_strdup_printf ("refund_status_%u", i);

          wechat_set (reply, no_name, entry->refund_no);
          wechat_set_fen (reply, fee_name, entry->amount);
          wechat_set (reply, status_name, "SUCCESS");
        }
    }
  g_mutex_unlock (&self->mutex);

  deliver (self, message, SOUP_STATUS_OK, "text/xml", wechat_sign_reply (&request, reply, FALSE),
           DELIVER_NOW);
out:
  wechat_request_clear (&request);
}

/* --- Alipay -------------------------------------------------------------- */

static const char ALIPAY_BAD_SIGN[] = "{\"error_response\":{\"code\":\"40002\",\"msg\":\"Invalid "
                                      "Arguments\",\"sub_code\":\"isv.invalid-signature\","
                                      "\"sub_msg\":\"验签出错\"}}";

static void
alipay_error (JsonBuilder *builder,
              const char  *code,
              const char  *msg,
              const char  *sub_code,
              const char  *sub_msg)
{
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "msg");
  json_builder_add_string_value (builder, msg);
  json_builder_set_member_name (builder, "sub_code");
  json_builder_add_string_value (builder, sub_code);
  json_builder_set_member_name (builder, "sub_msg");
  json_builder_add_string_value (builder, sub_msg);
}

static void
alipay_business_error (JsonBuilder *builder, const char *sub_code, const char *sub_msg)
{
  alipay_error (builder, "40004", "Business Failed", sub_code, sub_msg);
}

static void
add_string_member (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
alipay_add_yuan (JsonBuilder *builder, const char *name, gint64 fen)
{
  g_autofree char *yuan = fen_to_yuan (fen);

  add_string_member (builder, name, yuan);
}

static void
alipay_success (JsonBuilder *builder)
{
  add_string_member (builder, "code", "10000");
  add_string_member (builder, "msg", "Success");
}

/* Called with the mutex held. */
static void
alipay_add_trade_locked (JsonBuilder *builder, const Order *order)
{
  g_autofree char *gmt_payment = NULL;

  if (order->transaction_id != NULL)
    add_string_member (builder, "trade_no", order->transaction_id);
  add_string_member (builder, "out_trade_no", order->out_trade_no);
  add_string_member (builder, "buyer_logon_id", "159****5620");
  add_string_member (builder, "buyer_user_id", "2088102169481075");
  alipay_add_yuan (builder, "total_amount", order->amount);
  if (order->state == ORDER_PAID || order->state == ORDER_REFUNDED ||
      order->state == ORDER_REVERSED)
    {
      g_autoptr (GDateTime) paid = NULL;

      alipay_add_yuan (builder, "receipt_amount", order->amount);
      alipay_add_yuan (builder, "buyer_pay_amount", order->amount);
      alipay_add_yuan (builder, "invoice_amount", order->amount);
      add_string_member (builder, "point_amount", "0.00");
      /* time_paid is yyyyMMddHHmmss; Alipay writes "yyyy-MM-dd HH:mm:ss". */
      gmt_payment = g_strdup_printf (
          "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", order->time_paid, order->time_paid + 4,
          order->time_paid + 6, order->time_paid + 8, order->time_paid + 10, order->time_paid + 12);
      add_string_member (builder, "gmt_payment", gmt_payment);
      json_builder_set_member_name (builder, "fund_bill_list");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      alipay_add_yuan (builder, "amount", order->amount);
      add_string_member (builder, "fund_channel", "ALIPAYACCOUNT");
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
}

/* {"<method>_response":node,"sign":"…"}, the node signed over its exact
 * bytes with the Alipay key (or, for scenario 41, over other bytes). */
static char *
alipay_reply_body (TillPaySim *self, const char *method, JsonBuilder *builder, gboolean wrong_sign)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *node_text = NULL;
  g_autofree char *node_name = NULL;
  g_autofree char *sign = NULL;
  EVP_PKEY        *private_key = NULL;
  g_autoptr (GError) error = NULL;

  json_generator_set_root (generator, root);
  node_text = json_generator_to_data (generator, NULL);
  node_name = g_strdup_printf ("%s_response", method);
  g_strdelimit (node_name, ".", '_');

  g_mutex_lock (&self->mutex);
  if (self->alipay_private_key != NULL && EVP_PKEY_up_ref (self->alipay_private_key) == 1)
    private_key = self->alipay_private_key;
  g_mutex_unlock (&self->mutex);

  if (private_key != NULL)
    {
      if (wrong_sign)
        {
          g_autofree char *other = g_strconcat (node_text, " ", NULL);

          sign = till_alipay_sign (other, private_key, &error);
        }
      else
        sign = till_alipay_sign (node_text, private_key, &error);
      if (sign == NULL)
        g_warning ("Cannot sign the Alipay reply: %s", error->message);
      EVP_PKEY_free (private_key);
    }
  if (sign == NULL)
    return g_strdup_printf ("{\"%s\":%s}", node_name, node_text);
  return g_strdup_printf ("{\"%s\":%s,\"sign\":\"%s\"}", node_name, node_text, sign);
}

static void
alipay_gateway_cb (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  TillPaySim      *self = user_data;
  g_autofree char *body = NULL;
  g_autoptr (GHashTable) params = NULL;
  EVP_PKEY        *app_public_key = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *content = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  JsonObject *biz = NULL;
  const char *method;
  const char *sign;
  const char *biz_content;
  const char *operation;
  const char *out_trade_no = NULL;
  gboolean    wrong_sign = FALSE;
  gboolean    verified;
  Delivery    delivery = DELIVER_NOW;
  Order      *order = NULL;

  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    {
      soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  body = dup_request_body (message, NULL);
  params = soup_form_decode (body);
  method = g_hash_table_lookup (params, "method");
  if (g_strcmp0 (method, "alipay.trade.pay") == 0)
    operation = "pay";
  else if (g_strcmp0 (method, "alipay.trade.query") == 0)
    operation = "query";
  else if (g_strcmp0 (method, "alipay.trade.cancel") == 0)
    operation = "reverse";
  else if (g_strcmp0 (method, "alipay.trade.refund") == 0)
    operation = "refund";
  else if (g_strcmp0 (method, "alipay.trade.fastpay.refund.query") == 0)
    operation = "refund_query";
  else
    {
      deliver (self, message, SOUP_STATUS_OK, "application/json;charset=utf-8",
               g_strdup ("{\"error_response\":{\"code\":\"40002\",\"msg\":\"Invalid "
                         "Arguments\",\"sub_code\":\"isv.invalid-method\",\"sub_msg\":"
                         "\"不存在的方法名\"}}"),
               DELIVER_NOW);
      return;
    }
  count_request (self, operation);

  g_mutex_lock (&self->mutex);
  app_id = g_strdup (self->alipay_app_id);
  if (self->alipay_app_public_key != NULL && EVP_PKEY_up_ref (self->alipay_app_public_key) == 1)
    app_public_key = self->alipay_app_public_key;
  g_mutex_unlock (&self->mutex);

  sign = g_hash_table_lookup (params, "sign");
  content = till_alipay_sign_content (params);
  verified = app_public_key != NULL && sign != NULL &&
             g_strcmp0 (g_hash_table_lookup (params, "sign_type"), "RSA2") == 0 &&
             g_strcmp0 (g_hash_table_lookup (params, "app_id"), app_id) == 0 &&
             till_alipay_verify (content, strlen (content), sign, app_public_key);
  g_clear_pointer (&app_public_key, EVP_PKEY_free);
  if (!verified)
    {
      deliver (self, message, SOUP_STATUS_OK, "application/json;charset=utf-8",
               g_strdup (ALIPAY_BAD_SIGN), DELIVER_NOW);
      return;
    }

  biz_content = g_hash_table_lookup (params, "biz_content");
  json_builder_begin_object (builder);
  if (json_parser_load_from_data (parser, biz_content != NULL ? biz_content : "", -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    biz = json_node_get_object (json_parser_get_root (parser));
  if (biz != NULL)
    out_trade_no = json_object_get_string_member_with_default (biz, "out_trade_no", NULL);
  if (out_trade_no == NULL)
    {
      alipay_error (builder, "40001", "Missing Required Arguments", "isv.missing-out-trade-no",
                    "缺少商户订单号");
      goto reply;
    }

  g_mutex_lock (&self->mutex);
  if (strcmp (operation, "pay") == 0)
    {
      const char *auth_code = json_object_get_string_member_with_default (biz, "auth_code", NULL);
      gint64      amount =
          yuan_to_fen (json_object_get_string_member_with_default (biz, "total_amount", NULL));

      if (auth_code == NULL || amount <= 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (biz, "scene", NULL), "bar_code") !=
              0)
        alipay_error (builder, "40002", "Invalid Arguments", "ACQ.INVALID_PARAMETER", "参数无效");
      else
        switch (order_start_locked (self, PROVIDER_ALIPAY, out_trade_no, auth_code, amount, &order))
          {
          case PAY_CODE_EXPIRED:
          case PAY_CODE_USED:
            alipay_business_error (builder, "ACQ.PAYMENT_AUTH_CODE_INVALID",
                                   "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款");
            break;
          case PAY_REPEAT:
            if (order->state == ORDER_PAID)
              alipay_business_error (builder, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
            else if (order->state == ORDER_PAYING)
              {
                add_string_member (builder, "code", "10003");
                add_string_member (builder, "msg", " order success pay inprocess");
                alipay_add_trade_locked (builder, order);
              }
            else
              alipay_business_error (builder, "ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
            break;
          case PAY_NEW:
            switch (order->scenario)
              {
              case SCENARIO_PASSWORD:
              case SCENARIO_NEVER_CONFIRMS:
                order->transaction_id = new_transaction_id_locked (self, "2088");
                add_string_member (builder, "code", "10003");
                add_string_member (builder, "msg", " order success pay inprocess");
                alipay_add_trade_locked (builder, order);
                break;
              case SCENARIO_NO_BALANCE:
                alipay_business_error (builder, "ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足");
                break;
              case SCENARIO_ERROR_UNPAID:
                alipay_error (builder, "20000", "Service Currently Unavailable", "isp.unknow-error",
                              "系统繁忙");
                break;
              case SCENARIO_ERROR_PAID:
                alipay_business_error (builder, "ACQ.SYSTEM_ERROR", "系统错误");
                break;
              case SCENARIO_BAD_REPLY_SIGN:
                wrong_sign = TRUE;
                G_GNUC_FALLTHROUGH;
              case SCENARIO_SUCCESS:
              case SCENARIO_DROP:
              case SCENARIO_STALL:
                alipay_success (builder);
                alipay_add_trade_locked (builder, order);
                delivery = delivery_for (order);
                break;
              case SCENARIO_EXPIRED:
                g_assert_not_reached ();
              }
            break;
          }
    }
  else if (strcmp (operation, "query") == 0)
    {
      order = g_hash_table_lookup (self->orders, out_trade_no);
      /* A trade Alipay never created: refused, failed before the charge,
       * or only closed by a cancel that came first. */
      if (order == NULL || order->auth_code == NULL || order->state == ORDER_NOTPAY ||
          order->state == ORDER_FAILED)
        alipay_business_error (builder, "ACQ.TRADE_NOT_EXIST", "交易不存在");
      else
        {
          const char *status;

          order_query_locked (self, order);
          if (order->state == ORDER_PAYING)
            status = "WAIT_BUYER_PAY";
          else if (order->state == ORDER_PAID)
            status = "TRADE_SUCCESS";
          else
            status = "TRADE_CLOSED";
          alipay_success (builder);
          alipay_add_trade_locked (builder, order);
          add_string_member (builder, "trade_status", status);
        }
    }
  else if (strcmp (operation, "reverse") == 0)
    {
      gboolean money_back;

      order = order_lookup_or_close_locked (self, out_trade_no, PROVIDER_ALIPAY);
      money_back = order_reverse_locked (order) || order->state == ORDER_REVERSED;
      alipay_success (builder);
      if (order->transaction_id != NULL)
        add_string_member (builder, "trade_no", order->transaction_id);
      add_string_member (builder, "out_trade_no", order->out_trade_no);
      add_string_member (builder, "retry_flag", "N");
      add_string_member (builder, "action", money_back ? "refund" : "close");
      if (money_back)
        {
          g_autofree char *now = format_now ("%Y-%m-%d %H:%M:%S");

          add_string_member (builder, "gmt_refund_pay", now);
        }
    }
  else if (strcmp (operation, "refund") == 0)
    {
      const char *request_no =
          json_object_get_string_member_with_default (biz, "out_request_no", NULL);
      gint64 amount =
          yuan_to_fen (json_object_get_string_member_with_default (biz, "refund_amount", NULL));
      RefundResult result;

      order = g_hash_table_lookup (self->orders, out_trade_no);
      if (amount <= 0)
        result = REFUND_BAD_AMOUNT;
      else if (request_no == NULL && order != NULL && amount != order->amount)
        result = REFUND_TOO_MUCH; /* a partial refund needs out_request_no */
      else
        result = order_refund_locked (self, out_trade_no, request_no, amount, &order);
      switch (result)
        {
        case REFUND_DONE:
        case REFUND_REPEAT:
          {
            g_autofree char *now = format_now ("%Y-%m-%d %H:%M:%S");

            alipay_success (builder);
            add_string_member (builder, "trade_no", order->transaction_id);
            add_string_member (builder, "out_trade_no", order->out_trade_no);
            add_string_member (builder, "buyer_logon_id", "159****5620");
            add_string_member (builder, "fund_change", result == REFUND_DONE ? "Y" : "N");
            alipay_add_yuan (builder, "refund_fee", order->refunded);
            add_string_member (builder, "gmt_refund_pay", now);
          }
          break;
        case REFUND_NO_ORDER:
          alipay_business_error (builder, "ACQ.TRADE_NOT_EXIST", "交易不存在");
          break;
        case REFUND_NOT_PAID:
          alipay_business_error (builder, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
          break;
        case REFUND_TOO_MUCH:
          alipay_business_error (builder, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
          break;
        case REFUND_BAD_AMOUNT:
          alipay_business_error (builder, "ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效");
          break;
        }
    }
  else
    {
      const char *request_no =
          json_object_get_string_member_with_default (biz, "out_request_no", out_trade_no);
      gint64 *refund_fen;

      order = g_hash_table_lookup (self->orders, out_trade_no);
      alipay_success (builder);
      /* Data comes back only for a refund that happened. */
      if (order != NULL && (refund_fen = g_hash_table_lookup (order->refunds, request_no)) != NULL)
        {
          add_string_member (builder, "trade_no", order->transaction_id);
          add_string_member (builder, "out_trade_no", order->out_trade_no);
          add_string_member (builder, "out_request_no", request_no);
          alipay_add_yuan (builder, "total_amount", order->amount);
          alipay_add_yuan (builder, "refund_amount", *refund_fen);
          add_string_member (builder, "refund_status", "REFUND_SUCCESS");
        }
    }
  g_mutex_unlock (&self->mutex);

reply:
  json_builder_end_object (builder);
  deliver (self, message, SOUP_STATUS_OK, "application/json;charset=utf-8",
           alipay_reply_body (self, method, builder, wrong_sign), delivery);
}

/* --- Aggregator (收钱吧 upay v2 style) ------------------------------------ */

static char *
aggregator_body (JsonBuilder *biz_builder, const char *result_code)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result_code");
  json_builder_add_string_value (builder, result_code);
  json_builder_set_member_name (builder, "error_code");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "error_message");
  json_builder_add_string_value (builder, "");
  if (biz_builder != NULL)
    {
      json_builder_set_member_name (builder, "biz_response");
      json_builder_add_value (builder, json_builder_get_root (biz_builder));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
aggregator_refusal (const char *result_code, const char *error_code, const char *error_message)
{
  return g_strdup_printf ("{\"result_code\":\"%s\",\"error_code\":\"%s\","
                          "\"error_message\":\"%s\"}",
                          result_code, error_code, error_message);
}

/* Called with the mutex held. */
static void
aggregator_add_data_locked (JsonBuilder *builder, const Order *order, const char *status)
{
  const char *order_status;

  switch (order->state)
    {
    case ORDER_PAYING:
    case ORDER_NOTPAY:
      order_status = "CREATED";
      break;
    case ORDER_FAILED:
      order_status = "PAY_ERROR";
      break;
    case ORDER_PAID:
      order_status = order->refunded > 0 ? "PARTIAL_REFUNDED" : "PAID";
      break;
    case ORDER_CLOSED:
      order_status = "CANCELED"; /* cancelled, nothing had been taken */
      break;
    case ORDER_REVERSED:
      order_status = "REFUNDED"; /* cancelled after the charge: money returned */
      break;
    case ORDER_REFUNDED:
      order_status = "REFUNDED";
      break;
    default:
      g_assert_not_reached ();
    }

  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  if (order->transaction_id != NULL)
    {
      add_string_member (builder, "sn", order->transaction_id);
      add_string_member (builder, "trade_no", order->transaction_id);
    }
  add_string_member (builder, "client_sn", order->out_trade_no);
  add_string_member (builder, "status", status);
  add_string_member (builder, "order_status", order_status);
  {
    g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT, order->amount);
    g_autofree char *net = g_strdup_printf (
        "%" G_GINT64_FORMAT, order->state == ORDER_PAID ? order->amount - order->refunded : 0);

    add_string_member (builder, "total_amount", total);
    add_string_member (builder, "net_amount", net);
  }
  add_string_member (builder, "payway", "17"); /* UnionPay QR in 收钱吧's numbering */
  if (order->time_paid != NULL)
    {
      add_string_member (builder, "payer_login", "621226******1234");
      add_string_member (builder, "finish_time", order->time_paid);
    }
  json_builder_end_object (builder);
}

static void
aggregator_biz (JsonBuilder *builder,
                const char  *result_code,
                const char  *error_code,
                const char  *error_message)
{
  json_builder_set_member_name (builder, "result_code");
  json_builder_add_string_value (builder, result_code);
  if (error_code != NULL)
    {
      add_string_member (builder, "error_code", error_code);
      add_string_member (builder, "error_message", error_message);
    }
}

static void
aggregator_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  TillPaySim      *self = user_data;
  gsize            length;
  g_autofree char *body = NULL;
  g_autofree char *terminal_sn = NULL;
  g_autofree char *terminal_key = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  JsonObject *request = NULL;
  const char *action = path + strlen ("/upay/v2/");
  const char *operation;
  const char *client_sn = NULL;
  Delivery    delivery = DELIVER_NOW;
  Order      *order = NULL;

  if (strcmp (action, "pay") == 0)
    operation = "pay";
  else if (strcmp (action, "query") == 0)
    operation = "query";
  else if (strcmp (action, "cancel") == 0 || strcmp (action, "revoke") == 0)
    operation = "reverse";
  else if (strcmp (action, "refund") == 0)
    operation = "refund";
  else
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  count_request (self, operation);
  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    {
      soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  body = dup_request_body (message, &length);
  g_mutex_lock (&self->mutex);
  terminal_sn = g_strdup (self->aggregator_terminal_sn);
  terminal_key = g_strdup (self->aggregator_terminal_key);
  g_mutex_unlock (&self->mutex);
  if (terminal_sn != NULL && terminal_key != NULL)
    expected = till_aggregator_sign (terminal_sn, terminal_key, body, length);
  if (expected == NULL ||
      g_strcmp0 (soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                               "Authorization"),
                 expected) != 0)
    {
      deliver (self, message, SOUP_STATUS_UNAUTHORIZED, "application/json",
               aggregator_refusal ("401", "ILLEGAL_SIGN", "签名错误"), DELIVER_NOW);
      return;
    }

  if (json_parser_load_from_data (parser, body, length, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    request = json_node_get_object (json_parser_get_root (parser));
  if (request != NULL)
    client_sn = json_object_get_string_member_with_default (request, "client_sn", NULL);
  if (client_sn == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (request, "terminal_sn", NULL),
                 terminal_sn) != 0)
    {
      deliver (self, message, SOUP_STATUS_BAD_REQUEST, "application/json",
               aggregator_refusal ("400", "INVALID_PARAMS", "参数错误"), DELIVER_NOW);
      return;
    }

  json_builder_begin_object (builder);
  g_mutex_lock (&self->mutex);
  if (strcmp (operation, "pay") == 0)
    {
      const char *dynamic_id =
          json_object_get_string_member_with_default (request, "dynamic_id", NULL);
      gint64 amount = _till_wallet_client_parse_fen (
          json_object_get_string_member_with_default (request, "total_amount", NULL));

      if (dynamic_id == NULL || amount <= 0)
        aggregator_biz (builder, "FAIL", "INVALID_PARAMS", "参数错误");
      else
        switch (
            order_start_locked (self, PROVIDER_AGGREGATOR, client_sn, dynamic_id, amount, &order))
          {
          case PAY_CODE_EXPIRED:
            aggregator_biz (builder, "PAY_FAIL", "EXPIRED_BARCODE", "付款码已过期，请刷新后重试");
            break;
          case PAY_CODE_USED:
            aggregator_biz (builder, "PAY_FAIL", "EXPIRED_BARCODE", "付款码已使用，请刷新后重试");
            break;
          case PAY_REPEAT:
            /* The same client_sn again: the order as it stands, no new charge. */
            if (order->state == ORDER_PAID)
              aggregator_biz (builder, "PAY_SUCCESS", NULL, NULL);
            else if (order->state == ORDER_PAYING || order->state == ORDER_NOTPAY)
              aggregator_biz (builder, "PAY_IN_PROGRESS", NULL, NULL);
            else
              aggregator_biz (builder, "PAY_FAIL", "CLIENT_SN_CONFLICT", "订单已关闭");
            aggregator_add_data_locked (builder, order,
                                        order->state == ORDER_PAID ? "SUCCESS" : "IN_PROG");
            break;
          case PAY_NEW:
            switch (order->scenario)
              {
              case SCENARIO_PASSWORD:
              case SCENARIO_NEVER_CONFIRMS:
                aggregator_biz (builder, "PAY_IN_PROGRESS", NULL, NULL);
                aggregator_add_data_locked (builder, order, "IN_PROG");
                break;
              case SCENARIO_NO_BALANCE:
                aggregator_biz (builder, "PAY_FAIL", "INSUFFICIENT_BALANCE", "余额不足");
                aggregator_add_data_locked (builder, order, "FAIL_CANCELED");
                break;
              case SCENARIO_ERROR_UNPAID:
              case SCENARIO_ERROR_PAID:
                /* Failed, but the money may have moved: query. */
                aggregator_biz (builder, "PAY_FAIL_ERROR", "UPAY_SYSTEM_ERROR", "系统错误");
                aggregator_add_data_locked (builder, order, "IN_PROG");
                break;
              case SCENARIO_BAD_REPLY_SIGN:
              case SCENARIO_SUCCESS:
              case SCENARIO_DROP:
              case SCENARIO_STALL:
                aggregator_biz (builder, "PAY_SUCCESS", NULL, NULL);
                aggregator_add_data_locked (builder, order, "SUCCESS");
                delivery = delivery_for (order);
                break;
              case SCENARIO_EXPIRED:
                g_assert_not_reached ();
              }
            break;
          }
    }
  else if (strcmp (operation, "query") == 0)
    {
      order = g_hash_table_lookup (self->orders, client_sn);
      if (order == NULL || order->auth_code == NULL)
        aggregator_biz (builder, "FAIL", "ORDER_NOT_EXIST", "订单不存在");
      else
        {
          order_query_locked (self, order);
          aggregator_biz (builder, "SUCCESS", NULL, NULL);
          aggregator_add_data_locked (builder, order,
                                      order->state == ORDER_PAID ? "SUCCESS"
                                      : order->state == ORDER_PAYING || order->state == ORDER_NOTPAY
                                          ? "IN_PROG"
                                          : "FAIL_CANCELED");
        }
    }
  else if (strcmp (operation, "reverse") == 0)
    {
      order = order_lookup_or_close_locked (self, client_sn, PROVIDER_AGGREGATOR);
      order_reverse_locked (order);
      aggregator_biz (builder, "CANCEL_SUCCESS", NULL, NULL);
      aggregator_add_data_locked (builder, order, "SUCCESS");
    }
  else
    {
      const char *request_no =
          json_object_get_string_member_with_default (request, "refund_request_no", NULL);
      gint64 amount = _till_wallet_client_parse_fen (
          json_object_get_string_member_with_default (request, "refund_amount", NULL));
      RefundResult result = order_refund_locked (self, client_sn, request_no, amount, &order);

      switch (result)
        {
        case REFUND_DONE:
        case REFUND_REPEAT:
          aggregator_biz (builder, "REFUND_SUCCESS", NULL, NULL);
          aggregator_add_data_locked (builder, order, "SUCCESS");
          break;
        case REFUND_NO_ORDER:
          aggregator_biz (builder, "REFUND_FAIL", "ORDER_NOT_EXIST", "订单不存在");
          break;
        case REFUND_NOT_PAID:
          aggregator_biz (builder, "REFUND_FAIL", "ORDER_STATUS_ERROR", "订单状态错误");
          break;
        case REFUND_TOO_MUCH:
        case REFUND_BAD_AMOUNT:
          aggregator_biz (builder, "REFUND_FAIL", "REFUND_AMOUNT_ERROR", "退款金额错误");
          break;
        }
    }
  g_mutex_unlock (&self->mutex);
  json_builder_end_object (builder);

  deliver (self, message, SOUP_STATUS_OK, "application/json", aggregator_body (builder, "200"),
           delivery);
}

/* --- The server thread --------------------------------------------------- */

static gboolean
accept_client_certificate_cb (SoupServerMessage   *message,
                              GTlsCertificate     *certificate,
                              GTlsCertificateFlags errors,
                              gpointer             user_data)
{
  /* Any client certificate opens the handshake; /secapi/… checks that one
   * was presented, which is what the tests exercise. */
  return TRUE;
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *message, gpointer user_data)
{
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_client_certificate_cb), NULL);
}

static void
finish_start (TillPaySim *self, char *url, GError *error)
{
  g_mutex_lock (&self->mutex);
  g_free (self->url);
  self->url = url;
  self->start_error = error;
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

typedef struct
{
  TillPaySim *self;
  char       *url;
} ReadyData;

/* Runs once the thread's loop is running: a stop that follows the start at
 * once must find the loop running, or its quit is lost and the join hangs. */
static gboolean
ready_idle_cb (gpointer user_data)
{
  ReadyData *data = user_data;

  finish_start (data->self, g_steal_pointer (&data->url), NULL);
  g_free (data);
  return G_SOURCE_REMOVE;
}

static void
announce_ready_when_running (TillPaySim *self, char *url)
{
  ReadyData *data = g_new0 (ReadyData, 1);
  GSource   *idle = g_idle_source_new ();

  data->self = self;
  data->url = url;
  g_source_set_callback (idle, ready_idle_cb, data, NULL);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

static gpointer
server_thread (gpointer user_data)
{
  TillPaySim *self = user_data;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GError) error = NULL;
  GSList                 *uris;
  char                   *url;
  SoupServerListenOptions options = 0;

  g_main_context_push_thread_default (self->context);

  g_mutex_lock (&self->mutex);
  address = g_inet_socket_address_new (loopback, self->port);
  g_mutex_unlock (&self->mutex);

  self->server = soup_server_new ("server-header", "opentill-paysim ", NULL);
  self->held_messages = g_ptr_array_new ();
  if (self->server_certificate != NULL)
    {
      soup_server_set_tls_certificate (self->server, self->server_certificate);
      soup_server_set_tls_auth_mode (self->server, G_TLS_AUTHENTICATION_REQUESTED);
      g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  soup_server_add_handler (self->server, "/pay/micropay", wechat_micropay_cb, self, NULL);
  soup_server_add_handler (self->server, "/pay/orderquery", wechat_orderquery_cb, self, NULL);
  soup_server_add_handler (self->server, "/pay/refundquery", wechat_refundquery_cb, self, NULL);
  soup_server_add_handler (self->server, "/secapi/pay/reverse", wechat_reverse_cb, self, NULL);
  soup_server_add_handler (self->server, "/secapi/pay/refund", wechat_refund_cb, self, NULL);
  soup_server_add_handler (self->server, "/gateway.do", alipay_gateway_cb, self, NULL);
  soup_server_add_handler (self->server, "/upay/v2", aggregator_cb, self, NULL);

  if (!soup_server_listen (self->server, address, options, &error))
    {
      g_clear_object (&self->server);
      g_clear_pointer (&self->held_messages, g_ptr_array_unref);
      g_main_context_pop_thread_default (self->context);
      finish_start (self, NULL, g_steal_pointer (&error));
      return NULL;
    }
  uris = soup_server_get_uris (self->server);
  url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* "http://127.0.0.1:PORT/": the clients append their paths. */
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  announce_ready_when_running (self, url);
  g_main_loop_run (self->loop);

  /* Let held messages go before the server goes: they hold connections. */
  while (self->held_messages->len > 0)
    {
      SoupServerMessage *held = g_ptr_array_steal_index (self->held_messages, 0);
      g_autoptr (GIOStream) stream = soup_server_message_steal_connection (held);

      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      g_object_unref (held);
    }
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_clear_pointer (&self->held_messages, g_ptr_array_unref);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
till_paysim_finalize (GObject *object)
{
  TillPaySim *self = TILL_PAYSIM (object);

  till_paysim_stop (self);
  g_free (self->wechat_appid);
  g_free (self->wechat_mch_id);
  g_free (self->wechat_api_key);
  g_free (self->alipay_app_id);
  g_clear_pointer (&self->alipay_app_public_key, EVP_PKEY_free);
  g_clear_pointer (&self->alipay_private_key, EVP_PKEY_free);
  g_free (self->aggregator_terminal_sn);
  g_free (self->aggregator_terminal_key);
  g_hash_table_unref (self->orders);
  g_hash_table_unref (self->used_codes);
  g_hash_table_unref (self->request_counts);
  g_free (self->url);
  g_clear_error (&self->start_error);
  g_clear_object (&self->server_certificate);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (till_paysim_parent_class)->finalize (object);
}

static void
till_paysim_class_init (TillPaySimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_paysim_finalize;
}

static void
till_paysim_init (TillPaySim *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->stall_ms = 60000;
  self->orders = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) order_free);
  self->used_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->request_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

/* Public API */

/**
 * till_paysim_new:
 *
 * Returns: (transfer full): a simulator, not yet listening.
 */
TillPaySim *
till_paysim_new (void)
{
  return g_object_new (TILL_TYPE_PAYSIM, NULL);
}

/**
 * till_paysim_start:
 * @server_certificate: (nullable): a certificate with its private key for HTTPS
 *
 * Starts serving on 127.0.0.1 at an ephemeral port, in a thread of its own.
 */
gboolean
till_paysim_start (TillPaySim *self, GTlsCertificate *server_certificate, GError **error)
{
  GError *start_error;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), FALSE);
  g_return_val_if_fail (server_certificate == NULL || G_IS_TLS_CERTIFICATE (server_certificate),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  g_set_object (&self->server_certificate, server_certificate);
  self->ready = FALSE;
  self->thread = g_thread_new ("paysim", server_thread, self);

  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  start_error = g_steal_pointer (&self->start_error);
  g_mutex_unlock (&self->mutex);

  if (start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, start_error);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_paysim_stop:
 *
 * Stops serving and joins the thread; the order book stays for assertions.
 * Held (dropped or stalled) replies are closed unsent.
 */
void
till_paysim_stop (TillPaySim *self)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  if (self->thread == NULL)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
}

/**
 * till_paysim_set_port:
 *
 * Sets the port the next till_paysim_start() listens on (0: any free one).
 */
void
till_paysim_set_port (TillPaySim *self, guint16 port)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  g_mutex_lock (&self->mutex);
  self->port = port;
  g_mutex_unlock (&self->mutex);
}

/**
 * till_paysim_dup_url:
 *
 * Returns: (transfer full) (nullable): "http://127.0.0.1:PORT" (or https),
 *   NULL before till_paysim_start().
 */
char *
till_paysim_dup_url (TillPaySim *self)
{
  char *url;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), NULL);

  g_mutex_lock (&self->mutex);
  url = g_strdup (self->url);
  g_mutex_unlock (&self->mutex);
  return url;
}

/**
 * till_paysim_set_wechat:
 *
 * The merchant the WeChat endpoints accept: requests with another appid or
 * mch_id, or signed with another key, get FAIL 签名错误.
 */
void
till_paysim_set_wechat (TillPaySim *self,
                        const char *appid,
                        const char *mch_id,
                        const char *api_key)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  g_mutex_lock (&self->mutex);
  g_free (self->wechat_appid);
  self->wechat_appid = g_strdup (appid);
  g_free (self->wechat_mch_id);
  self->wechat_mch_id = g_strdup (mch_id);
  g_free (self->wechat_api_key);
  self->wechat_api_key = g_strdup (api_key);
  g_mutex_unlock (&self->mutex);
}

/**
 * till_paysim_set_alipay:
 *
 * The app the gateway accepts, the key its requests verify with, and the
 * key the replies are signed with.
 */
void
till_paysim_set_alipay (TillPaySim *self,
                        const char *app_id,
                        EVP_PKEY   *app_public_key,
                        EVP_PKEY   *alipay_private_key)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  g_mutex_lock (&self->mutex);
  g_free (self->alipay_app_id);
  self->alipay_app_id = g_strdup (app_id);
  if (app_public_key != NULL)
    EVP_PKEY_up_ref (app_public_key);
  g_clear_pointer (&self->alipay_app_public_key, EVP_PKEY_free);
  self->alipay_app_public_key = app_public_key;
  if (alipay_private_key != NULL)
    EVP_PKEY_up_ref (alipay_private_key);
  g_clear_pointer (&self->alipay_private_key, EVP_PKEY_free);
  self->alipay_private_key = alipay_private_key;
  g_mutex_unlock (&self->mutex);
}

/**
 * till_paysim_set_aggregator:
 *
 * The terminal the aggregator accepts; other Authorization headers get 401.
 */
void
till_paysim_set_aggregator (TillPaySim *self, const char *terminal_sn, const char *terminal_key)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  g_mutex_lock (&self->mutex);
  g_free (self->aggregator_terminal_sn);
  self->aggregator_terminal_sn = g_strdup (terminal_sn);
  g_free (self->aggregator_terminal_key);
  self->aggregator_terminal_key = g_strdup (terminal_key);
  g_mutex_unlock (&self->mutex);
}

/**
 * till_paysim_set_stall_ms:
 *
 * How long a scenario-52 reply is held after the charge.
 */
void
till_paysim_set_stall_ms (TillPaySim *self, guint stall_ms)
{
  g_return_if_fail (TILL_IS_PAYSIM (self));

  g_mutex_lock (&self->mutex);
  self->stall_ms = stall_ms;
  g_mutex_unlock (&self->mutex);
}

/**
 * till_paysim_count_charges:
 *
 * Returns: how many times money was taken for @out_trade_no (0 or 1 unless
 *   something charged twice).
 */
guint
till_paysim_count_charges (TillPaySim *self, const char *out_trade_no)
{
  Order *order;
  guint  charges;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), 0);
  g_return_val_if_fail (out_trade_no != NULL, 0);

  g_mutex_lock (&self->mutex);
  order = g_hash_table_lookup (self->orders, out_trade_no);
  charges = order != NULL ? order->charges : 0;
  g_mutex_unlock (&self->mutex);
  return charges;
}

/**
 * till_paysim_get_charged:
 *
 * Returns: the fen the provider holds for @out_trade_no after reversal and
 *   refunds.
 */
gint64
till_paysim_get_charged (TillPaySim *self, const char *out_trade_no)
{
  Order *order;
  gint64 held = 0;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), 0);
  g_return_val_if_fail (out_trade_no != NULL, 0);

  g_mutex_lock (&self->mutex);
  order = g_hash_table_lookup (self->orders, out_trade_no);
  if (order != NULL)
    held = (gint64) order->charges * order->amount - order->refunded;
  g_mutex_unlock (&self->mutex);
  return held;
}

/**
 * till_paysim_get_refunded:
 *
 * Returns: the fen refunded for @out_trade_no, by refunds and reversal.
 */
gint64
till_paysim_get_refunded (TillPaySim *self, const char *out_trade_no)
{
  Order *order;
  gint64 refunded;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), 0);
  g_return_val_if_fail (out_trade_no != NULL, 0);

  g_mutex_lock (&self->mutex);
  order = g_hash_table_lookup (self->orders, out_trade_no);
  refunded = order != NULL ? order->refunded : 0;
  g_mutex_unlock (&self->mutex);
  return refunded;
}

/**
 * till_paysim_is_reversed:
 *
 * Returns: whether @out_trade_no was reversed (撤销) or cancelled.
 */
gboolean
till_paysim_is_reversed (TillPaySim *self, const char *out_trade_no)
{
  Order   *order;
  gboolean reversed;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), FALSE);
  g_return_val_if_fail (out_trade_no != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  order = g_hash_table_lookup (self->orders, out_trade_no);
  reversed = order != NULL && order->reversed;
  g_mutex_unlock (&self->mutex);
  return reversed;
}

/**
 * till_paysim_count_requests:
 * @operation: "pay", "query", "reverse", "refund" or "refund_query"
 *
 * Returns: the requests of @operation received so far, from every provider,
 *   refused ones included.
 */
guint
till_paysim_count_requests (TillPaySim *self, const char *operation)
{
  guint count;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), 0);
  g_return_val_if_fail (operation != NULL, 0);

  g_mutex_lock (&self->mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->request_counts, operation));
  g_mutex_unlock (&self->mutex);
  return count;
}

/**
 * till_paysim_wait_for_requests:
 *
 * Blocks until @count requests of @operation arrived in all.
 *
 * Returns: FALSE when @timeout_ms passed first.
 */
gboolean
till_paysim_wait_for_requests (TillPaySim *self,
                               const char *operation,
                               guint       count,
                               guint       timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean reached;

  g_return_val_if_fail (TILL_IS_PAYSIM (self), FALSE);
  g_return_val_if_fail (operation != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  while (!(reached =
               GPOINTER_TO_UINT (g_hash_table_lookup (self->request_counts, operation)) >= count))
    if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
      {
        reached = GPOINTER_TO_UINT (g_hash_table_lookup (self->request_counts, operation)) >= count;
        break;
      }
  g_mutex_unlock (&self->mutex);
  return reached;
}
