/* wallet-crash-till.c: a till taking one WeChat Pay payment, for
 * test-wallet-crash.c to kill in the middle of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "wallet-crash-till"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "till-wallet-service.h"
#include "till-wechat-pay.h"

/* Usage: wallet-crash-till DB URL APPID MCH_ID API_KEY CODE AMOUNT CART_UUID
 *
 * Opens the till database DB and pays AMOUNT fen of the cart CART_UUID with
 * the WeChat payment code CODE at the provider URL, then runs until killed
 * (or until the payment ends: exit status 0 paid, 2 not). With
 * OPENTILL_WALLET_CRASH_AFTER_BEGIN set, the till writes the attempt as the
 * service does and dies at once by SIGKILL, before any request leaves. */

static void
pay_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) attempt =
      till_wallet_service_pay_finish (TILL_WALLET_SERVICE (source), result, &error);

  if (attempt == NULL)
    {
      fprintf (stderr, "wallet-crash-till: not paid: %s\n", error->message);
      exit (2);
    }
  fprintf (stderr, "wallet-crash-till: paid %s\n", attempt->out_trade_no);
  g_main_loop_quit (loop);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillWalletService) service = NULL;
  g_autoptr (GObject) client = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  gint64 amount;

  if (argc != 9 || !g_ascii_string_to_signed (argv[7], 10, 1, G_MAXINT64, &amount, NULL))
    {
      fprintf (stderr, "usage: %s DB URL APPID MCH_ID API_KEY CODE AMOUNT CART_UUID\n", argv[0]);
      return 1;
    }
  store = till_store_open (argv[1], &error);
  if (store == NULL)
    {
      fprintf (stderr, "wallet-crash-till: %s\n", error->message);
      return 1;
    }

  if (g_getenv ("OPENTILL_WALLET_CRASH_AFTER_BEGIN") != NULL)
    {
      g_autoptr (TillWalletAttempt) attempt = till_wallet_attempt_begin (
          store, TILL_WALLET_WECHAT, argv[8], amount, argv[6], FALSE, &error);

      if (attempt == NULL)
        {
          fprintf (stderr, "wallet-crash-till: %s\n", error->message);
          return 1;
        }
      fprintf (stderr, "wallet-crash-till: began %s, dying\n", attempt->out_trade_no);
      raise (SIGKILL);
    }

  client = g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", argv[2], "appid", argv[3], "mch-id",
                         argv[4], "api-key", argv[5], "timeout", 60, NULL);
  service = till_wallet_service_new (store);
  till_wallet_service_set_client (service, TILL_WALLET_CLIENT (client), NULL);
  loop = g_main_loop_new (NULL, FALSE);
  till_wallet_service_pay_async (service, TILL_WALLET_WECHAT, argv[8], amount, argv[6], NULL,
                                 pay_done_cb, loop);
  g_main_loop_run (loop);
  return 0;
}
