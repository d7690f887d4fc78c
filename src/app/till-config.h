/* till-config.h: the till's configuration file (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What till.conf says, with defaults filled in:
 *
 *   [till]
 *   database=/var/lib/opentill/till.db
 *   language=zh_CN
 *   [devices]
 *   printer=sim://printer?dir=/tmp/receipts&width=80
 *   drawer=printer
 *   scale=serial:///dev/ttyUSB1?baud=9600&protocol=toledo-8217
 *   display=serial:///dev/ttyUSB2?baud=2400&protocol=led8
 *   scanner=serial:///dev/ttyUSB3?baud=9600&protocol=scanner&suffix=%0D
 *   camera=v4l2:///dev/video0
 *   customer-screen=auto
 *   scanner-prefix=
 *   scanner-suffix=enter
 *   [payments]
 *   wechat-url=https://api.mch.weixin.qq.com
 *   wechat-appid=wx8888888888888888
 *   wechat-mch-id=1900000109
 *   wechat-api-key=…
 *   wechat-sign-type=HMAC-SHA256
 *   wechat-cert=/etc/opentill/apiclient_cert.pem
 *   wechat-key=/etc/opentill/apiclient_key.pem
 *   alipay-url=https://openapi.alipay.com/gateway.do
 *   alipay-app-id=2014072300007148
 *   alipay-private-key=/etc/opentill/alipay_app_private.pem
 *   alipay-public-key=/etc/opentill/alipay_public.pem
 *   unionpay-url=https://api.shouqianba.com
 *   unionpay-terminal-sn=…
 *   unionpay-terminal-key=…
 *   ca-file=
 *   timeout=10
 *
 * Every device is a URI (see hw/); an absent key means no such device. A
 * wallet without its -url key is not set up; "sim://" as its URL starts the
 * in-process simulator of the providers' APIs (for the demo and the tests),
 * as sim:// device URIs do. */

/* One QR wallet provider's connection, from the [payments] group: keys
 * "<provider>-url", "-appid"/"-app-id", "-mch-id", "-api-key", "-sign-type",
 * "-cert", "-key", "-private-key", "-public-key", "-terminal-sn",
 * "-terminal-key", "-timeout". */
typedef struct
{
  char *url;             /* NULL = not set up; "sim://" = the simulator */
  char *app_id;          /* WeChat appid, Alipay app_id */
  char *merchant_id;     /* WeChat mch_id */
  char *api_key;         /* WeChat APIv2 key */
  char *sign_type;       /* WeChat: "MD5" or "HMAC-SHA256" (the default) */
  char *cert_file;       /* WeChat: the client certificate (PEM) for /secapi */
  char *key_file;        /* WeChat: its private key (PEM); Alipay: the app private key */
  char *public_key_file; /* Alipay: Alipay's public key */
  char *terminal_sn;     /* aggregator (UnionPay): terminal_sn */
  char *terminal_key;    /* aggregator: terminal_key */
  guint timeout;         /* seconds per request: the group's timeout unless set */
} TillWalletConfig;

typedef enum
{
  TILL_CONFIG_WALLET_WECHAT,
  TILL_CONFIG_WALLET_ALIPAY,
  TILL_CONFIG_WALLET_UNIONPAY,
  TILL_CONFIG_N_WALLETS,
} TillConfigWallet;

#define TILL_CONFIG_PAYMENTS_SIM "sim://"
#define TILL_CONFIG_DEFAULT_PAYMENT_TIMEOUT 10

typedef struct
{
  char *path;     /* the file read, or NULL when it did not exist */
  char *database; /* never NULL */
  char *language; /* never NULL: "zh_CN" by default, "system" leaves the environment alone */
  /* [till] idle-lock-seconds: the screen locks after this long without a touch
   * or a key (0 = never); 15 minutes by default, as PCI DSS asks. */
  guint idle_lock_seconds;
  char *printer_uri; /* NULL = no printer */
  char *drawer_uri;  /* "printer" (kicked through the printer, the default) or a URI */
  char *scale_uri;   /* NULL = no scale: weights are keyed */
  char *display_uri; /* NULL = no pole display */
  char *scanner_uri; /* NULL = keyboard-wedge scanners only */
  char *camera_uri;  /* NULL = no camera scanning */
  /* The customer-facing window: "auto" (on a second monitor when there is one),
   * "off", or a monitor number. */
  char *customer_screen;
  /* What a keyboard-wedge scanner types around each code: scanner-prefix
   * (NULL = none) and scanner-suffix ("enter", the default; "tab"; or one
   * printable character), as till-scan-detector.h takes them. */
  char    *scanner_prefix;
  gunichar scanner_suffix;
  /* [payments]: the QR wallet providers, by TillConfigWallet, and ca-file:
   * the certificates to trust for them (NULL = the system's). */
  TillWalletConfig wallets[TILL_CONFIG_N_WALLETS];
  char            *payments_ca_file;
} TillConfig;

/* The devices of the [devices] group that are URIs, in the order a settings
 * screen lists them. */
typedef enum
{
  TILL_DEVICE_PRINTER,
  TILL_DEVICE_DRAWER,
  TILL_DEVICE_SCALE,
  TILL_DEVICE_DISPLAY,
  TILL_DEVICE_SCANNER,
  TILL_DEVICE_CAMERA,
  TILL_N_DEVICES,
} TillDeviceKind;

#define TILL_CONFIG_ERROR (till_config_error_quark ())

typedef enum
{
  TILL_CONFIG_ERROR_FAILED,
  TILL_CONFIG_ERROR_INVALID, /* a device URI or setting the till cannot use */
} TillConfigError;

GQuark till_config_error_quark (void);

/* $XDG_CONFIG_HOME/opentill/till.conf */
char *till_config_default_path (void) G_GNUC_WARN_UNUSED_RESULT;
/* $XDG_DATA_HOME/opentill/till.db */
char *till_config_default_database (void) G_GNUC_WARN_UNUSED_RESULT;

/* Reads path (NULL = the default path). A missing file gives the defaults; a file
 * that exists but cannot be read or parsed is an error. */
TillConfig *till_config_load (const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void        till_config_free (TillConfig *self);

/* The language named by the config file at path (NULL = default path), without
 * failing: main() needs it before anything else runs. */
char *till_config_peek_language (const char *path) G_GNUC_WARN_UNUSED_RESULT;

TillConfig *till_config_copy (const TillConfig *self) G_GNUC_WARN_UNUSED_RESULT;

/* The [devices] key of @kind ("printer", "drawer", …). */
const char *till_device_kind_get_label (TillDeviceKind kind);
const char *till_device_kind_to_key (TillDeviceKind kind);
/* The URI field of @config for @kind (NULL = no such device). */
const char *till_config_get_device_uri (const TillConfig *config, TillDeviceKind kind);
/* Replaces it (NULL or "" = no such device; for the drawer: "printer"). */
void till_config_set_device_uri (TillConfig *config, TillDeviceKind kind, const char *uri);

/* Checks that @uri (NULL or "" = no such device) is one the device's driver
 * takes, with the drivers' own parsers: the transport address (serial port
 * options, USB VID:PID, TCP host and port, CUPS queue), the printer profile
 * options, the scale and display protocol and options, the scanner's framing,
 * the camera's device. Opens nothing. TILL_CONFIG_ERROR_INVALID says why. */
gboolean till_config_validate_device_uri (TillDeviceKind kind, const char *uri, GError **error);
/* Checks every device URI of @config and the other [devices] settings
 * (customer-screen, scanner-suffix). */
gboolean till_config_validate_devices (const TillConfig *config, GError **error);

/* Validates @config's devices and writes them as the [devices] group of the
 * file at @path (NULL = @config->path, else the default path), keeping every
 * other group, key and comment of the file; a device that is absent loses its
 * key. The file is replaced atomically (g_file_set_contents), its folder made
 * when missing. Nothing is written when a device is invalid. Sets
 * @config->path to the file written. */
gboolean till_config_save_devices (TillConfig *config, const char *path, GError **error);

/* "serial:///dev/ttyUSB0?baud=9600&protocol=led8", "tcp://host:9100",
 * "usb://04b8:0202", "cups://Queue", "file:///path": @scheme is serial, tcp,
 * usb, cups or file; @target the port path, host:port, VID:PID, queue or file
 * path; @query NULL or key, value, key, value, …, NULL (empty values are left
 * out, values are escaped). */
char *till_config_build_device_uri (const char        *scheme,
                                    const char        *target,
                                    const char *const *query) G_GNUC_WARN_UNUSED_RESULT;

/* "wechat", "alipay", "unionpay": the key prefix and the tender id. */
const char *till_config_wallet_to_string (TillConfigWallet wallet);
/* Checks that each wallet set up has what its client needs: an http(s)://
 * or sim:// URL, and for a real provider its ids, keys and files. The
 * message names the provider and the missing key
 * (TILL_CONFIG_ERROR_INVALID). */
gboolean
till_config_validate_wallet (const TillConfig *config, TillConfigWallet wallet, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillConfig, till_config_free)

G_END_DECLS
