/* test-scale.c: tests for hw/scale/ (every protocol against its simulator)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-hw.h"
#include "till-scale-private.h"
#include "till-scale-sim.h"
#include "till-scale-xk3190.h"
#include "till-scale.h"
#include "till-test-util.h"

#define TIMEOUT_MS 600
/* A read that gets nothing must come back close to its timeout. */
#define NO_ANSWER_MS 250

/* What each protocol can say. A state it cannot express is sent as nothing by
 * its simulator, as the real scale does, and reads as no answer. */
typedef struct
{
  const char    *protocol;
  const char    *options;
  TillScaleState unstable;    /* what an unstable scale reads as */
  TillScaleState overload;    /* what an overloaded one reads as */
  TillScaleState negative;    /* what −500 g reads as */
  gint64         negative_g;  /* and the figure */
  gboolean       has_tare;    /* tare and zero commands */
  gboolean       reports_net; /* a net flag in the frame */
} Protocol;

static const Protocol protocols[] = {
  { "toledo-8217", NULL, TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD,
    TILL_SCALE_STATE_NEGATIVE, 0, TRUE, TRUE },
  { "adam", NULL, TILL_SCALE_STATE_NO_ANSWER, TILL_SCALE_STATE_NO_ANSWER, TILL_SCALE_STATE_NEGATIVE,
    -500, TRUE, FALSE },
  { "adam", "mode=continuous", TILL_SCALE_STATE_NO_ANSWER, TILL_SCALE_STATE_NO_ANSWER,
    TILL_SCALE_STATE_NEGATIVE, -500, TRUE, FALSE },
  { "cas-pd2", NULL, TILL_SCALE_STATE_NO_ANSWER, TILL_SCALE_STATE_NO_ANSWER,
    TILL_SCALE_STATE_NO_ANSWER, 0, FALSE, FALSE },
  { "cas", NULL, TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD, TILL_SCALE_STATE_NEGATIVE,
    -500, TRUE, TRUE },
  { "cas", "variant=generic", TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD,
    TILL_SCALE_STATE_NEGATIVE, -500, TRUE, TRUE },
  { "cas", "mode=request", TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD,
    TILL_SCALE_STATE_NEGATIVE, -500, TRUE, TRUE },
  { "aclas-os2x", NULL, TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD,
    TILL_SCALE_STATE_NEGATIVE, -500, TRUE, TRUE },
  { "aclas-os2x", "mode=passive", TILL_SCALE_STATE_UNSTABLE, TILL_SCALE_STATE_OVERLOAD,
    TILL_SCALE_STATE_NEGATIVE, -500, TRUE, FALSE },
  { "xk3190", NULL, TILL_SCALE_STATE_NO_ANSWER, TILL_SCALE_STATE_NO_ANSWER,
    TILL_SCALE_STATE_NEGATIVE, -500, FALSE, FALSE },
};

static TillScaleSim *sim;
static TillScale    *scale;

static void
open_pair (int i)
{
  g_autoptr (GError) error = NULL;

  sim = till_scale_sim_new (protocols[i].protocol, protocols[i].options, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  scale = till_scale_open (till_scale_sim_get_uri (sim), &error);
  ck_assert_msg (scale != NULL, "%s: %s", till_scale_sim_get_uri (sim),
                 error ? error->message : "");
  ck_assert_str_eq (till_scale_get_protocol (scale), protocols[i].protocol);
}

static void
close_pair (void)
{
  g_clear_object (&scale);
  g_clear_pointer (&sim, till_scale_sim_free);
}

static TillScaleReading
read_scale (guint timeout_ms)
{
  g_autoptr (GError) error = NULL;
  TillScaleReading reading;

  ck_assert_msg (till_scale_read (scale, timeout_ms, &reading, &error), "%s",
                 error ? error->message : "");
  return reading;
}

static void
assert_reading (int i, TillScaleReading reading, TillScaleState state, gint64 grams)
{
  ck_assert_msg (reading.state == state, "%s %s: state %s, expected %s", protocols[i].protocol,
                 protocols[i].options ? protocols[i].options : "",
                 till_scale_state_to_string (reading.state), till_scale_state_to_string (state));
  if (state != TILL_SCALE_STATE_NO_ANSWER)
    ck_assert_msg (reading.weight == grams,
                   "%s: weight %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                   protocols[i].protocol, reading.weight, grams);
}

/* /hw/scale/stable: the weight on the platter, to the gram */
START_TEST (test_stable)
{
  open_pair (_i);
  till_scale_sim_set_weight (sim, 1234);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 1234);
  till_scale_sim_set_weight (sim, 15005);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 15005);
  ck_assert_int_eq (read_scale (TIMEOUT_MS).unit, TILL_SCALE_UNIT_KG);
  close_pair ();
}
END_TEST

/* /hw/scale/unstable */
START_TEST (test_unstable)
{
  open_pair (_i);
  till_scale_sim_set_weight (sim, 812);
  till_scale_sim_set_condition (sim, TILL_SCALE_SIM_UNSTABLE);
  assert_reading (_i, read_scale (NO_ANSWER_MS), protocols[_i].unstable,
                  protocols[_i].unstable == TILL_SCALE_STATE_UNSTABLE &&
                          strcmp (protocols[_i].protocol, "toledo-8217") != 0
                      ? 812
                      : 0);
  /* Settled: the weight comes through. */
  till_scale_sim_set_condition (sim, TILL_SCALE_SIM_STABLE);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 812);
  close_pair ();
}
END_TEST

/* /hw/scale/negative */
START_TEST (test_negative)
{
  open_pair (_i);
  till_scale_sim_set_weight (sim, -500);
  assert_reading (_i, read_scale (NO_ANSWER_MS), protocols[_i].negative, protocols[_i].negative_g);
  close_pair ();
}
END_TEST

/* /hw/scale/overload */
START_TEST (test_overload)
{
  open_pair (_i);
  till_scale_sim_set_weight (sim, 1000);
  till_scale_sim_set_condition (sim, TILL_SCALE_SIM_OVERLOAD);
  assert_reading (_i, read_scale (NO_ANSWER_MS), protocols[_i].overload, 0);
  close_pair ();
}
END_TEST

/* /hw/scale/tare: the tare command reaches the scale; readings are net after */
START_TEST (test_tare)
{
  g_autoptr (GError) error = NULL;
  TillScaleReading reading;

  open_pair (_i);
  till_scale_sim_set_weight (sim, 300);
  if (!protocols[_i].has_tare)
    {
      ck_assert (!till_scale_tare (scale, TIMEOUT_MS, &error));
      ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NOT_SUPPORTED));
      g_clear_error (&error);
      ck_assert (!till_scale_zero (scale, TIMEOUT_MS, &error));
      ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NOT_SUPPORTED));
      close_pair ();
      return;
    }
  ck_assert_msg (till_scale_tare (scale, TIMEOUT_MS, &error), "%s", error ? error->message : "");
  /* Commands nobody answers need a moment to arrive. */
  for (int n = 0; n < 100 && till_scale_sim_get_n_tare (sim) == 0; n++)
    g_usleep (5000);
  ck_assert_int_eq (till_scale_sim_get_n_tare (sim), 1);
  ck_assert_int_eq (till_scale_sim_get_tare (sim), 300);

  till_scale_sim_set_weight (sim, 1534);
  reading = read_scale (TIMEOUT_MS);
  assert_reading (_i, reading, TILL_SCALE_STATE_STABLE, 1234);
  ck_assert_int_eq (reading.net, protocols[_i].reports_net);

  /* Zero clears the tare and takes what is on the platter as zero. */
  ck_assert_msg (till_scale_zero (scale, TIMEOUT_MS, &error), "%s", error ? error->message : "");
  for (int n = 0; n < 100 && till_scale_sim_get_n_zero (sim) == 0; n++)
    g_usleep (5000);
  ck_assert_int_eq (till_scale_sim_get_zero (sim), 1534);
  till_scale_sim_set_weight (sim, 1600);
  reading = read_scale (TIMEOUT_MS);
  assert_reading (_i, reading, TILL_SCALE_STATE_STABLE, 66);
  ck_assert (!reading.net);
  close_pair ();
}
END_TEST

/* /hw/scale/no-answer: a silent scale is a state, within the timeout; it
 * recovers when the scale talks again */
START_TEST (test_no_answer)
{
  g_autoptr (GError) error = NULL;
  gint64 started;
  gint64 elapsed_ms;

  open_pair (_i);
  till_scale_sim_set_weight (sim, 250);
  till_scale_sim_set_silent (sim, TRUE);
  started = g_get_monotonic_time ();
  assert_reading (_i, read_scale (NO_ANSWER_MS), TILL_SCALE_STATE_NO_ANSWER, 0);
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;
  ck_assert_int_ge (elapsed_ms, NO_ANSWER_MS - 10);
  ck_assert_int_lt (elapsed_ms, NO_ANSWER_MS + 500);
  /* Toledo answers its commands: an unanswered tare is an error naming the device. */
  if (strcmp (protocols[_i].protocol, "toledo-8217") == 0)
    {
      ck_assert (!till_scale_tare (scale, NO_ANSWER_MS, &error));
      ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NO_ANSWER));
      ck_assert_ptr_nonnull (strstr (error->message, "/dev/pts/"));
    }

  till_scale_sim_set_silent (sim, FALSE);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 250);
  close_pair ();
}
END_TEST

/* /hw/scale/cut-frame: half a frame is never a reading */
START_TEST (test_cut_frame)
{
  TillScaleReading reading;

  open_pair (_i);
  till_scale_sim_set_weight (sim, 4321);
  till_scale_sim_cut_next_frame (sim);
  reading = read_scale (NO_ANSWER_MS);
  /* A continuous scale's next frame is whole; a request is left unanswered. */
  if (till_scale_get_continuous (scale))
    assert_reading (_i, reading, TILL_SCALE_STATE_STABLE, 4321);
  else
    assert_reading (_i, reading, TILL_SCALE_STATE_NO_ANSWER, 0);
  /* And the half frame does not spoil the next reading. */
  till_scale_sim_set_weight (sim, 2345);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 2345);
  close_pair ();
}
END_TEST

/* /hw/scale/garbage: line noise before a frame is skipped */
START_TEST (test_garbage)
{
  static const guint8 noise[] = { 0xFF, 'x', 0x02, '9',  '9',  '.',  0x01, 0x02, 'S', ' ',
                                  'O',  'L', ',',  0x0D, 0x0A, 0x00, 0x03, 0x80, '-', 0x04 };

  open_pair (_i);
  till_scale_sim_set_weight (sim, 777);
  till_scale_sim_inject (sim, noise, sizeof noise);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 777);
  till_scale_sim_inject (sim, noise, sizeof noise);
  till_scale_sim_set_weight (sim, 778);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 778);
  close_pair ();
}
END_TEST

/* /hw/scale/unplug: a scale gone mid-use is an error or no answer, never a hang */
START_TEST (test_unplug)
{
  g_autoptr (GError) error = NULL;
  TillScaleReading reading;
  gint64           started;
  gboolean         ok;

  open_pair (_i);
  till_scale_sim_set_weight (sim, 100);
  assert_reading (_i, read_scale (TIMEOUT_MS), TILL_SCALE_STATE_STABLE, 100);
  till_scale_sim_unplug (sim);
  started = g_get_monotonic_time ();
  ok = till_scale_read (scale, NO_ANSWER_MS, &reading, &error);
  ck_assert_int_lt ((g_get_monotonic_time () - started) / 1000, NO_ANSWER_MS + 500);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_NO_ANSWER);
  ck_assert (ok == (error == NULL));
  close_pair ();
}
END_TEST

static void
read_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillScaleReading *reading = user_data;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_scale_read_finish (TILL_SCALE (source), result, reading, &error), "%s",
                 error ? error->message : "");
}

/* /hw/scale/async: the app's way, a reading from a worker thread */
START_TEST (test_async)
{
  TillScaleReading reading = { .state = TILL_SCALE_STATE_ERROR };

  open_pair (_i);
  till_scale_sim_set_weight (sim, 2024);
  till_scale_read_async (scale, TIMEOUT_MS, NULL, read_done_cb, &reading);
  while (reading.state == TILL_SCALE_STATE_ERROR)
    g_main_context_iteration (NULL, TRUE);
  assert_reading (_i, reading, TILL_SCALE_STATE_STABLE, 2024);
  close_pair ();
}
END_TEST

/* /hw/scale/bytes: the frames on the wire, as DEVICES.md §2 gives them */
START_TEST (test_bytes)
{
  /* +20.00 from [S14][S15], XOR 0x1B. */
  static const guint8 xk_example[] = { 0x02, 0x2B, 0x30, 0x30, 0x32, 0x30,
                                       0x30, 0x30, 0x32, 0x31, 0x42, 0x03 };
  TillScaleReading    reading;
  gsize               consumed = 0;
  g_autoptr (GByteArray) toledo =
      till_scale_sim_frame ("toledo-8217", NULL, 1234, FALSE, TILL_SCALE_SIM_STABLE);
  g_autoptr (GByteArray) toledo_net =
      till_scale_sim_frame ("toledo-8217", NULL, 1234, TRUE, TILL_SCALE_SIM_STABLE);
  g_autoptr (GByteArray) toledo_motion =
      till_scale_sim_frame ("toledo-8217", NULL, 1234, FALSE, TILL_SCALE_SIM_UNSTABLE);
  g_autoptr (GByteArray) cas =
      till_scale_sim_frame ("cas", NULL, 12345, FALSE, TILL_SCALE_SIM_STABLE);
  g_autoptr (GByteArray) aclas =
      till_scale_sim_frame ("aclas-os2x", NULL, 1234, FALSE, TILL_SCALE_SIM_STABLE);
  guint8 xor = 0;

  ck_assert (
      till_scale_protocol_xk3190.parse (xk_example, sizeof xk_example, 0, &consumed, &reading));
  ck_assert_uint_eq (consumed, sizeof xk_example);
  ck_assert_int_eq (reading.weight, 20000);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  /* One bit off in the weight: the XOR catches it. */
  {
    guint8 corrupt[sizeof xk_example];

    memcpy (corrupt, xk_example, sizeof corrupt);
    corrupt[4] = 0x33;
    ck_assert (!till_scale_protocol_xk3190.parse (corrupt, sizeof corrupt, 0, &consumed, &reading));
  }

  /* STX WW.WWW CR, N before CR when net; STX ? status CR, bit 6 set [S7]. */
  ck_assert_uint_eq (toledo->len, 8);
  ck_assert_mem_eq (toledo->data,
                    "\x02"
                    "01.234\r",
                    8);
  ck_assert_mem_eq (toledo_net->data,
                    "\x02"
                    "01.234N\r",
                    9);
  ck_assert_mem_eq (toledo_motion->data, "\x02?A\r", 4);

  /* 22 bytes: ST,GS,<id><lamp>,<8-byte weight> kg CR LF [S10]. */
  ck_assert_uint_eq (cas->len, 22);
  ck_assert_mem_eq (cas->data, "ST,GS,1D,  12.345 kg\r\n", 22);

  /* 16 bytes, CS the XOR of the 12 before it [S12]. */
  ck_assert_uint_eq (aclas->len, 16);
  ck_assert_mem_eq (aclas->data, "\x01\x02S 01.234kg", 12);
  for (int k = 0; k < 12; k++)
    xor ^= aclas->data[k];
  ck_assert_uint_eq (aclas->data[12], xor);
  ck_assert_mem_eq (aclas->data + 13, "\x03\x04", 2);
}
END_TEST

/* /hw/scale/open-errors */
START_TEST (test_open_errors)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScale) none = till_scale_open ("serial:///dev/null", &error);

  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL));
  ck_assert_ptr_nonnull (strstr (error->message, "toledo-8217"));
  g_clear_error (&error);

  ck_assert_ptr_null (till_scale_open ("serial:///dev/null?protocol=nonesuch", &error));
  ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL));
  g_clear_error (&error);

  ck_assert_ptr_null (till_scale_open ("serial:///dev/nonesuch?protocol=adam", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, "/dev/nonesuch"));
  g_clear_error (&error);

  ck_assert_ptr_null (till_scale_open ("serial:///dev/null?protocol=adam&mode=sideways", &error));
  ck_assert (g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL));
}
END_TEST

static Suite *
scale_suite (void)
{
  Suite *suite = suite_create ("hw/scale");
  TCase *tc;
  int    n = G_N_ELEMENTS (protocols);

  tc = tcase_create ("protocols");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_stable, 0, n);
  tcase_add_loop_test (tc, test_unstable, 0, n);
  tcase_add_loop_test (tc, test_negative, 0, n);
  tcase_add_loop_test (tc, test_overload, 0, n);
  tcase_add_loop_test (tc, test_tare, 0, n);
  tcase_add_loop_test (tc, test_no_answer, 0, n);
  tcase_add_loop_test (tc, test_cut_frame, 0, n);
  tcase_add_loop_test (tc, test_garbage, 0, n);
  tcase_add_loop_test (tc, test_unplug, 0, n);
  tcase_add_loop_test (tc, test_async, 0, n);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("wire");
  tcase_add_test (tc, test_bytes);
  tcase_add_test (tc, test_open_errors);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (scale_suite ());
}
