/* test-camera-qr.c: /hw/camera-qr: QR codes made with libqrencode, drawn into
 * camera-sized frames (scaled, rotated, noised, low contrast) and pushed
 * through the camera scanner's decode path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <qrencode.h>
#include <string.h>

#include "till-camera-scanner.h"
#include "till-qr-decoder.h"
#include "till-test-util.h"

#define FRAME_WIDTH 640
#define FRAME_HEIGHT 480

/* ---- Drawing frames ------------------------------------------------------- */

typedef struct
{
  guint   module_px; /* pixels per module, before rotation */
  double  angle_deg; /* rotation of the code about its centre */
  double  offset_x;  /* of the code's centre from the frame's */
  double  offset_y;
  guint8  dark;        /* the grey of a dark module */
  guint8  light;       /* the grey of the paper */
  double  salt_pepper; /* share of pixels forced black or white */
  double  noise_sigma; /* grey levels of sensor noise */
  guint32 seed;
} FrameSpec;

static const FrameSpec plain_spec = {
  .module_px = 4,
  .dark = 20,
  .light = 235,
  .seed = 1,
};

/* A textured background, as a camera sees a counter: a gradient and a soft
 * pattern, nothing a decoder could take for a code. */
static double
background (guint x, guint y)
{
  return 100.0 + 60.0 * x / FRAME_WIDTH + 25.0 * sin (x / 17.0) * cos (y / 23.0);
}

/* The Gaussian-ish part of the noise: a sum of four uniform variables, scaled
 * to a standard deviation of one. */
static double
gaussianish (GRand *rand)
{
  double sum = 0;

  for (guint i = 0; i < 4; i++)
    sum += g_rand_double_range (rand, -1.0, 1.0);
  return sum / sqrt (4.0 / 3.0);
}

/* The upright code with its 4-module quiet zone, module_px to a module. */
static guint8 *
draw_upright_code (const QRcode *qr, const FrameSpec *spec, guint *out_side)
{
  guint   modules = (guint) qr->width + 8;
  guint   side = modules * spec->module_px;
  guint8 *code = g_malloc ((gsize) side * side);

  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        int      mx = (int) (x / spec->module_px) - 4;
        int      my = (int) (y / spec->module_px) - 4;
        gboolean is_dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                           (qr->data[my * qr->width + mx] & 1);

        code[(gsize) y * side + x] = is_dark ? spec->dark : spec->light;
      }
  *out_side = side;
  return code;
}

/* Draws @text as a QR code into a FRAME_WIDTH × FRAME_HEIGHT grey frame: the
 * upright code is rotated into the frame with bilinear interpolation, then
 * noise is added. */
static GBytes *
render_qr_frame (const char *text, const FrameSpec *spec)
{
  QRcode *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_autoptr (GRand) rand = g_rand_new_with_seed (spec->seed);
  g_autofree guint8 *code = NULL;
  guint8            *frame = g_malloc (FRAME_WIDTH * FRAME_HEIGHT);
  double             angle = spec->angle_deg * G_PI / 180.0;
  double             cos_a = cos (angle);
  double             sin_a = sin (angle);
  double             cx = FRAME_WIDTH / 2.0 + spec->offset_x;
  double             cy = FRAME_HEIGHT / 2.0 + spec->offset_y;
  guint              side;

  ck_assert_msg (qr != NULL, "libqrencode cannot encode “%s”", text);
  code = draw_upright_code (qr, spec, &side);
  QRcode_free (qr);

  for (guint y = 0; y < FRAME_HEIGHT; y++)
    for (guint x = 0; x < FRAME_WIDTH; x++)
      {
        double dx = x + 0.5 - cx;
        double dy = y + 0.5 - cy;
        /* The frame pixel's centre in the upright code's pixel grid. */
        double u = cos_a * dx + sin_a * dy + side / 2.0 - 0.5;
        double v = -sin_a * dx + cos_a * dy + side / 2.0 - 0.5;
        double value;

        if (u < -1.0 || v < -1.0 || u > side || v > side)
          value = background (x, y);
        else
          {
            int    u0 = (int) floor (u);
            int    v0 = (int) floor (v);
            double fu = u - u0;
            double fv = v - v0;
            double corner[2][2];

            /* Just outside the code the paper goes on. */
            for (int j = 0; j < 2; j++)
              for (int i = 0; i < 2; i++)
                {
                  int su = u0 + i;
                  int sv = v0 + j;

                  corner[j][i] = su >= 0 && sv >= 0 && su < (int) side && sv < (int) side
                                     ? code[(gsize) sv * side + (gsize) su]
                                     : spec->light;
                }
            value = (1 - fv) * ((1 - fu) * corner[0][0] + fu * corner[0][1]) +
                    fv * ((1 - fu) * corner[1][0] + fu * corner[1][1]);
          }
        if (spec->noise_sigma > 0)
          value += spec->noise_sigma * gaussianish (rand);
        if (spec->salt_pepper > 0 && g_rand_double (rand) < spec->salt_pepper)
          value = g_rand_boolean (rand) ? 255 : 0;
        frame[y * FRAME_WIDTH + x] = (guint8) CLAMP (lround (value), 0, 255);
      }
  return g_bytes_new_take (frame, FRAME_WIDTH * FRAME_HEIGHT);
}

/* A frame with no code: the background, optionally under heavy noise. */
static GBytes *
render_empty_frame (double noise_sigma, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *frame = g_malloc (FRAME_WIDTH * FRAME_HEIGHT);

  for (guint y = 0; y < FRAME_HEIGHT; y++)
    for (guint x = 0; x < FRAME_WIDTH; x++)
      {
        double value = background (x, y) + noise_sigma * gaussianish (rand);

        frame[y * FRAME_WIDTH + x] = (guint8) CLAMP (lround (value), 0, 255);
      }
  return g_bytes_new_take (frame, FRAME_WIDTH * FRAME_HEIGHT);
}

/* EAN-13, drawn by hand (libqrencode draws QR only): 3 px to a module. */
static GBytes *
render_ean13_frame (const char *digits)
{
  static const char *const l_codes[] = { "0001101", "0011001", "0010011", "0111101", "0100011",
                                         "0110001", "0101111", "0111011", "0110111", "0001011" };
  static const char *const g_codes[] = { "0100111", "0110011", "0011011", "0100001", "0011101",
                                         "0111001", "0000101", "0010001", "0001001", "0010111" };
  static const char *const parities[] = { "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
                                          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL" };
  g_autoptr (GString) bars = g_string_new ("101");
  guint8 *frame = g_malloc (FRAME_WIDTH * FRAME_HEIGHT);
  guint   left;

  ck_assert_uint_eq (strlen (digits), 13);
  for (guint i = 1; i <= 6; i++)
    {
      int digit = digits[i] - '0';

      g_string_append (bars,
                       parities[digits[0] - '0'][i - 1] == 'L' ? l_codes[digit] : g_codes[digit]);
    }
  g_string_append (bars, "01010");
  for (guint i = 7; i <= 12; i++)
    for (const char *p = l_codes[digits[i] - '0']; *p != '\0'; p++)
      g_string_append_c (bars, *p == '1' ? '0' : '1'); /* R codes: L inverted */
  g_string_append (bars, "101");

  left = (FRAME_WIDTH - (guint) bars->len * 3) / 2;
  for (guint y = 0; y < FRAME_HEIGHT; y++)
    for (guint x = 0; x < FRAME_WIDTH; x++)
      {
        gboolean in_label = y > 140 && y < 340 && x > left - 40 && x < left + bars->len * 3 + 40;
        gboolean is_bar = in_label && y < 320 && x >= left && x < left + bars->len * 3 &&
                          bars->str[(x - left) / 3] == '1';

        frame[y * FRAME_WIDTH + x] = is_bar     ? 25
                                     : in_label ? 230
                                                : (guint8) lround (background (x, y));
      }
  return g_bytes_new_take (frame, FRAME_WIDTH * FRAME_HEIGHT);
}

/* For a person to look at: test-output/camera/NAME. */
static void
save_png (GBytes *grey, const char *name)
{
  g_autofree char *path = till_test_output_path ("camera", name);
  cairo_surface_t *surface =
      cairo_image_surface_create (CAIRO_FORMAT_RGB24, FRAME_WIDTH, FRAME_HEIGHT);
  const guint8 *pixels = g_bytes_get_data (grey, NULL);
  guint8       *data;
  int           stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < FRAME_HEIGHT; y++)
    for (guint x = 0; x < FRAME_WIDTH; x++)
      {
        guint8 value = pixels[y * FRAME_WIDTH + x];

        ((guint32 *) (data + y * stride))[x] = 0xff000000u | value << 16 | value << 8 | value;
      }
  cairo_surface_mark_dirty (surface);
  ck_assert_int_eq (cairo_surface_write_to_png (surface, path), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

/* ---- Driving the scanner ---------------------------------------------------- */

typedef struct
{
  TillCameraSource  *source;
  TillCameraScanner *scanner;
  GPtrArray         *codes;
  TillCameraFrame   *last_frame;
  guint              frames;
  GThread           *main_thread;
  gboolean           wrong_thread;
  gint64             next_timestamp_us;
} Rig;

static void
code_scanned_cb (TillCameraScanner *scanner, const char *code, Rig *rig)
{
  if (g_thread_self () != rig->main_thread)
    rig->wrong_thread = TRUE;
  g_ptr_array_add (rig->codes, g_strdup (code));
}

static void
frame_cb (TillCameraScanner *scanner, TillCameraFrame *frame, Rig *rig)
{
  if (g_thread_self () != rig->main_thread)
    rig->wrong_thread = TRUE;
  g_clear_pointer (&rig->last_frame, till_camera_frame_unref);
  rig->last_frame = till_camera_frame_ref (frame);
  rig->frames++;
}

static void
wait_for_state (Rig *rig, TillCameraState state)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (till_camera_scanner_get_state (rig->scanner) != state &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  ck_assert_int_eq (till_camera_scanner_get_state (rig->scanner), state);
}

static void
rig_init (Rig *rig, TillQrSymbology symbologies)
{
  memset (rig, 0, sizeof *rig);
  rig->source = till_camera_source_new_push ();
  rig->scanner = till_camera_scanner_new (rig->source, symbologies);
  rig->codes = g_ptr_array_new_with_free_func (g_free);
  rig->main_thread = g_thread_self ();
  rig->next_timestamp_us = 1000 * G_USEC_PER_SEC;
  g_signal_connect (rig->scanner, "code-scanned", G_CALLBACK (code_scanned_cb), rig);
  g_signal_connect (rig->scanner, "frame", G_CALLBACK (frame_cb), rig);
  till_camera_scanner_start (rig->scanner);
  wait_for_state (rig, TILL_CAMERA_STATE_RUNNING);
}

static void
rig_clear (Rig *rig)
{
  till_camera_scanner_stop (rig->scanner);
  g_clear_object (&rig->scanner);
  g_clear_pointer (&rig->source, till_camera_source_unref);
  g_clear_pointer (&rig->codes, g_ptr_array_unref);
  g_clear_pointer (&rig->last_frame, till_camera_frame_unref);
}

/* Pushes one grey frame at @timestamp_us and runs the main context until the
 * scanner has delivered it as a preview frame (its codes come before it). */
static void
push_at (Rig *rig, GBytes *grey, gint64 timestamp_us)
{
  g_autoptr (TillCameraFrame) frame = till_camera_frame_new (
      TILL_CAMERA_FRAME_GREY, FRAME_WIDTH, FRAME_HEIGHT, FRAME_WIDTH, grey, timestamp_us);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  till_camera_source_push_frame (rig->source, frame);
  while ((rig->last_frame == NULL ||
          till_camera_frame_get_timestamp_us (rig->last_frame) != timestamp_us) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (500);
  ck_assert_ptr_nonnull (rig->last_frame);
  ck_assert_int_eq (till_camera_frame_get_timestamp_us (rig->last_frame), timestamp_us);
}

/* Pushes a frame far from the last one in time, so that repeats of a code in
 * separate checks are never taken for duplicates; returns the codes it gave. */
static GPtrArray *
decode_via_scanner (Rig *rig, GBytes *grey)
{
  guint      before = rig->codes->len;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  rig->next_timestamp_us += 60 * G_USEC_PER_SEC;
  push_at (rig, grey, rig->next_timestamp_us);
  for (guint i = before; i < rig->codes->len; i++)
    g_ptr_array_add (found, g_strdup (g_ptr_array_index (rig->codes, i)));
  return found;
}

static void
assert_decodes_to (Rig *rig, const char *text, const FrameSpec *spec, const char *png_name)
{
  g_autoptr (GBytes) grey = render_qr_frame (text, spec);
  g_autoptr (GPtrArray) found = NULL;

  if (png_name != NULL)
    save_png (grey, png_name);
  found = decode_via_scanner (rig, grey);
  ck_assert_msg (found->len == 1,
                 "“%s” (module %u px, %.0f°, dark %u light %u, s&p %.3f, σ %.0f): %u codes", text,
                 spec->module_px, spec->angle_deg, spec->dark, spec->light, spec->salt_pepper,
                 spec->noise_sigma, found->len);
  ck_assert_str_eq (g_ptr_array_index (found, 0), text);
}

/* A code held up to a camera gives a run of frames that differ by a hand's
 * tremor. zbar misses a few exact poses of a clean code (about 1 in 130 over
 * this file's rotation grid: e.g. a 19-digit code at 75° with 5 px modules) and
 * reads the same code a fraction of a degree off; the scanner sees ~30 frames a
 * second. So a rotated code must be read within three jittered frames (±0.4°,
 * ±1 px), and exactly once: repeats of it are duplicates. */
static void
assert_decodes_within_burst (Rig             *rig,
                             const char      *text,
                             const FrameSpec *spec,
                             const char      *png_name)
{
  const double jitter[][3] = { { 0, 0, 0 }, { 0.4, 1, -1 }, { -0.4, -1, 1 } };
  guint        before = rig->codes->len;

  till_camera_scanner_set_duplicate_window_ms (rig->scanner, 1000);
  rig->next_timestamp_us += 60 * G_USEC_PER_SEC;
  for (guint i = 0; i < G_N_ELEMENTS (jitter) && rig->codes->len == before; i++)
    {
      FrameSpec jittered = *spec;
      g_autoptr (GBytes) grey = NULL;

      jittered.angle_deg += jitter[i][0];
      jittered.offset_x += jitter[i][1];
      jittered.offset_y += jitter[i][2];
      grey = render_qr_frame (text, &jittered);
      if (png_name != NULL && i == 0)
        save_png (grey, png_name);
      push_at (rig, grey, rig->next_timestamp_us += 33 * 1000);
    }
  ck_assert_msg (rig->codes->len == before + 1, "“%s” (module %u px, %.0f°): %u codes in 3 frames",
                 text, spec->module_px, spec->angle_deg, rig->codes->len - before);
  ck_assert_str_eq (g_ptr_array_index (rig->codes, before), text);
}

/* The codes the till meets: WeChat and Alipay 付款码, a member code, URLs, and
 * Chinese text (a QR code on a product or a coupon). */
static const char *const sample_texts[] = {
  "134526789012345678",
  "287654321098765432",
  "6212345678901234567",
  "M20240001234",
  "https://pay.example.cn/q/8f3a2c?store=0012",
  "会员码:13800138000",
  "优惠券 满100减20 #A7F3",
};

/* ---- Tests -------------------------------------------------------------------- */

/* /hw/camera-qr/plain: each sample text, upright, 4 px modules. */
START_TEST (test_plain)
{
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint i = 0; i < G_N_ELEMENTS (sample_texts); i++)
    assert_decodes_to (&rig, sample_texts[i], &plain_spec, i == 0 ? "plain-payment.png" : NULL);
  ck_assert (!rig.wrong_thread);
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/scaled: module sizes 2 to 8 px. */
START_TEST (test_scaled)
{
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint module_px = 2; module_px <= 8; module_px++)
    for (guint i = 0; i < G_N_ELEMENTS (sample_texts); i++)
      {
        FrameSpec spec = plain_spec;

        spec.module_px = module_px;
        assert_decodes_to (&rig, sample_texts[i], &spec,
                           module_px == 2 && i == 4 ? "scaled-2px-url.png" : NULL);
      }
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/rotated: 0 to 90 degrees in 5-degree steps, 3 and 5 px modules,
 * each read within a short burst of frames. */
START_TEST (test_rotated)
{
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint angle = 0; angle <= 90; angle += 5)
    for (guint module_px = 3; module_px <= 5; module_px += 2)
      for (guint i = 0; i < G_N_ELEMENTS (sample_texts); i += 2)
        {
          FrameSpec spec = plain_spec;

          spec.module_px = module_px;
          spec.angle_deg = angle;
          assert_decodes_within_burst (&rig, sample_texts[i], &spec,
                                       angle == 35 && module_px == 5 && i == 4 ? "rotated-35.png"
                                                                               : NULL);
        }
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/noisy: salt-and-pepper and sensor noise, alone and together. */
START_TEST (test_noisy)
{
  const struct
  {
    double salt_pepper;
    double sigma;
  } levels[] = { { 0.01, 0 }, { 0.03, 0 }, { 0, 10 }, { 0, 25 }, { 0.02, 15 } };
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint level = 0; level < G_N_ELEMENTS (levels); level++)
    for (guint i = 0; i < G_N_ELEMENTS (sample_texts); i++)
      {
        FrameSpec spec = plain_spec;

        spec.module_px = 5;
        spec.angle_deg = 10.0 * level;
        spec.salt_pepper = levels[level].salt_pepper;
        spec.noise_sigma = levels[level].sigma;
        spec.seed = 100 + level * 10 + i;
        assert_decodes_to (&rig, sample_texts[i], &spec,
                           level == 4 && i == 5 ? "noisy-chinese.png" : NULL);
      }
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/low-contrast: a dim, washed-out code (a phone screen at an
 * angle, a faded print) with some noise. */
START_TEST (test_low_contrast)
{
  const guint8 pairs[][2] = { { 90, 160 }, { 110, 170 }, { 130, 180 }, { 60, 120 } };
  Rig          rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint p = 0; p < G_N_ELEMENTS (pairs); p++)
    for (guint i = 0; i < G_N_ELEMENTS (sample_texts); i++)
      {
        FrameSpec spec = plain_spec;

        spec.module_px = 4;
        spec.angle_deg = 20.0 * p;
        spec.dark = pairs[p][0];
        spec.light = pairs[p][1];
        spec.noise_sigma = 5;
        spec.seed = 200 + p * 10 + i;
        assert_decodes_to (&rig, sample_texts[i], &spec,
                           p == 2 && i == 0 ? "low-contrast.png" : NULL);
      }
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/no-code: a plain, a textured and a noisy frame give nothing. */
START_TEST (test_no_code)
{
  const double sigmas[] = { 0, 20, 60 };
  Rig          rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_QR | TILL_QR_SYMBOLOGY_EAN13 | TILL_QR_SYMBOLOGY_CODE128);
  for (guint i = 0; i < G_N_ELEMENTS (sigmas); i++)
    {
      g_autoptr (GBytes) grey = render_empty_frame (sigmas[i], 300 + i);
      g_autoptr (GPtrArray) found = NULL;

      if (i == 2)
        save_png (grey, "no-code-noise.png");
      found = decode_via_scanner (&rig, grey);
      ck_assert_uint_eq (found->len, 0);
    }
  /* The frames did arrive: nothing found is a result, not a stall. */
  ck_assert_uint_ge (rig.frames, 1);
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/duplicates: a code held up for many frames is delivered once;
 * again after it has been out of view longer than the window; another code in
 * between is delivered at once. */
START_TEST (test_duplicates)
{
  g_autoptr (GBytes) payment = render_qr_frame ("134526789012345678", &plain_spec);
  g_autoptr (GBytes) member = render_qr_frame ("M20240001234", &plain_spec);
  g_autoptr (GBytes) nothing = render_empty_frame (5, 7);
  gint64 t = G_GINT64_CONSTANT (5000) * G_USEC_PER_SEC;
  gint64 ms = 1000;
  Rig    rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  till_camera_scanner_set_duplicate_window_ms (rig.scanner, 1000);
  /* Held for 3 s at 10 frames a second: each frame renews the sighting. */
  for (guint i = 0; i < 30; i++)
    push_at (&rig, payment, t += 100 * ms);
  ck_assert_uint_eq (rig.codes->len, 1);
  /* The member code comes at once, and the payment code right after it is
   * still within its window. */
  push_at (&rig, member, t += 100 * ms);
  push_at (&rig, payment, t += 100 * ms);
  ck_assert_uint_eq (rig.codes->len, 2);
  ck_assert_str_eq (g_ptr_array_index (rig.codes, 1), "M20240001234");
  /* Out of view for 0.9 s: still the same scan. */
  push_at (&rig, nothing, t += 450 * ms);
  push_at (&rig, payment, t += 450 * ms);
  ck_assert_uint_eq (rig.codes->len, 2);
  /* Out of view for 1.2 s: a new scan (the customer's second item). */
  push_at (&rig, nothing, t += 600 * ms);
  push_at (&rig, payment, t += 600 * ms);
  ck_assert_uint_eq (rig.codes->len, 3);
  ck_assert_str_eq (g_ptr_array_index (rig.codes, 0), "134526789012345678");
  ck_assert_str_eq (g_ptr_array_index (rig.codes, 2), "134526789012345678");
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/random-frames: 50 random codes in random frames. */
START_TEST (test_random_frames)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240607);
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  for (guint n = 0; n < 50; n++)
    {
      g_autofree char *text = NULL;
      g_autofree char *png = NULL;
      FrameSpec        spec = { 0 };
      double           room;

      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0: /* WeChat Pay: 18 digits, 10-15 */
          text = g_strdup_printf ("%d%08d%08d", g_rand_int_range (rand, 10, 16),
                                  g_rand_int_range (rand, 0, 100000000),
                                  g_rand_int_range (rand, 0, 100000000));
          break;
        case 1: /* Alipay: 25-30 then 14 to 22 more digits */
          {
            g_autoptr (GString) digits = g_string_new (NULL);
            int length = g_rand_int_range (rand, 16, 25);

            g_string_printf (digits, "%d", g_rand_int_range (rand, 25, 31));
            while ((int) digits->len < length)
              g_string_append_c (digits, (char) ('0' + g_rand_int_range (rand, 0, 10)));
            text = g_string_free (g_steal_pointer (&digits), FALSE);
          }
          break;
        case 2:
          text = g_strdup_printf ("M%010d", g_rand_int_range (rand, 0, G_MAXINT32));
          break;
        case 3:
          text = g_strdup_printf ("https://m.example.cn/p/%x?s=%d", g_rand_int (rand),
                                  g_rand_int_range (rand, 1, 999));
          break;
        default:
          text = g_strdup_printf ("电子券%d 满%d减%d", g_rand_int_range (rand, 1000, 9999),
                                  g_rand_int_range (rand, 50, 300), g_rand_int_range (rand, 5, 50));
        }
      /* 4 px and up: below that, noise at 40-50° defeats zbar (see the report). */
      spec.module_px = (guint) g_rand_int_range (rand, 4, 9);
      spec.angle_deg = g_rand_double_range (rand, 0, 90);
      spec.dark = (guint8) g_rand_int_range (rand, 0, 70);
      spec.light = (guint8) g_rand_int_range (rand, 170, 256);
      spec.salt_pepper = g_rand_double_range (rand, 0, 0.01);
      spec.noise_sigma = g_rand_double_range (rand, 0, 12);
      spec.seed = g_rand_int (rand);
      /* Anywhere in the frame, as long as the rotated code fits. */
      room = MAX (0, (FRAME_HEIGHT - 60 * 1.42 * spec.module_px) / 2);
      room = MIN (room, 80);
      spec.offset_x = g_rand_double_range (rand, -room, room);
      spec.offset_y = g_rand_double_range (rand, -room, room) / 2;
      if (n % 10 == 3)
        png = g_strdup_printf ("random-%02u.png", n);
      assert_decodes_to (&rig, text, &spec, png);
    }
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/symbologies: EAN-13 is read only when asked for. */
START_TEST (test_symbologies)
{
  g_autoptr (GBytes) ean = render_ean13_frame ("6901234567892");
  g_autoptr (GPtrArray) qr_only = NULL;
  g_autoptr (GPtrArray) with_ean = NULL;
  Rig rig;

  save_png (ean, "ean13.png");
  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  qr_only = decode_via_scanner (&rig, ean);
  ck_assert_uint_eq (qr_only->len, 0);
  rig_clear (&rig);

  rig_init (&rig, TILL_QR_SYMBOLOGY_QR | TILL_QR_SYMBOLOGY_EAN13);
  with_ean = decode_via_scanner (&rig, ean);
  ck_assert_uint_eq (with_ean->len, 1);
  ck_assert_str_eq (g_ptr_array_index (with_ean, 0), "6901234567892");
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/decoder-stride-rgb: padded rows and RGB frames decode the same. */
START_TEST (test_decoder_stride_rgb)
{
  g_autoptr (GBytes) grey = render_qr_frame ("134526789012345678", &plain_spec);
  g_autoptr (TillQrDecoder) decoder = till_qr_decoder_new (TILL_QR_SYMBOLOGY_QR, 2);
  const guint8      *pixels = g_bytes_get_data (grey, NULL);
  gsize              padded_stride = FRAME_WIDTH + 64;
  g_autofree guint8 *padded = g_malloc0 (padded_stride * FRAME_HEIGHT);
  g_autofree guint8 *rgb = g_malloc (FRAME_WIDTH * 3 * FRAME_HEIGHT);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GBytes) rgb_bytes = NULL;
  g_autoptr (TillCameraFrame) rgb_frame = NULL;
  Rig rig;

  for (guint y = 0; y < FRAME_HEIGHT; y++)
    {
      memcpy (padded + y * padded_stride, pixels + y * FRAME_WIDTH, FRAME_WIDTH);
      /* Garbage in the padding must not matter. */
      memset (padded + y * padded_stride + FRAME_WIDTH, y & 1 ? 0 : 255, 64);
      for (guint x = 0; x < FRAME_WIDTH; x++)
        memset (rgb + (y * FRAME_WIDTH + x) * 3, pixels[y * FRAME_WIDTH + x], 3);
    }
  found = till_qr_decoder_decode_grey (decoder, padded, FRAME_WIDTH, FRAME_HEIGHT, padded_stride);
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (g_ptr_array_index (found, 0), "134526789012345678");

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  rgb_bytes = g_bytes_new (rgb, FRAME_WIDTH * 3 * FRAME_HEIGHT);
  rgb_frame = till_camera_frame_new (TILL_CAMERA_FRAME_RGB, FRAME_WIDTH, FRAME_HEIGHT,
                                     FRAME_WIDTH * 3, rgb_bytes, 42);
  till_camera_source_push_frame (rig.source, rgb_frame);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (rig.codes->len == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE), g_usleep (500);
  }
  ck_assert_uint_eq (rig.codes->len, 1);
  ck_assert_str_eq (g_ptr_array_index (rig.codes, 0), "134526789012345678");
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/preview-frames: the preview gets the frame as pushed, on the
 * main thread. */
START_TEST (test_preview_frames)
{
  g_autoptr (GBytes) grey = render_qr_frame ("M20240001234", &plain_spec);
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  push_at (&rig, grey, 77);
  ck_assert_uint_eq (till_camera_frame_get_width (rig.last_frame), FRAME_WIDTH);
  ck_assert_uint_eq (till_camera_frame_get_height (rig.last_frame), FRAME_HEIGHT);
  ck_assert_int_eq (till_camera_frame_get_format (rig.last_frame), TILL_CAMERA_FRAME_GREY);
  ck_assert (g_bytes_equal (till_camera_frame_get_pixels (rig.last_frame), grey));
  ck_assert (!rig.wrong_thread);
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/no-camera: a source that cannot open is NO_CAMERA with its
 * reason; a start after it retries and runs. */
START_TEST (test_no_camera)
{
  g_autoptr (TillCameraSource) source = till_camera_source_new_push ();
  g_autoptr (TillCameraScanner) scanner = NULL;
  Rig rig = { 0 };

  till_camera_source_set_missing (source, TRUE);
  scanner = till_camera_scanner_new (source, TILL_QR_SYMBOLOGY_DEFAULT);
  rig.scanner = scanner;
  till_camera_scanner_start (scanner);
  wait_for_state (&rig, TILL_CAMERA_STATE_NO_CAMERA);
  ck_assert_ptr_nonnull (till_camera_scanner_get_error_message (scanner));
  ck_assert_ptr_nonnull (strstr (till_camera_scanner_get_error_message (scanner), "no such"));

  till_camera_source_set_missing (source, FALSE);
  till_camera_scanner_start (scanner);
  wait_for_state (&rig, TILL_CAMERA_STATE_RUNNING);
  ck_assert_ptr_null (till_camera_scanner_get_error_message (scanner));
  till_camera_scanner_stop (scanner);
  ck_assert_int_eq (till_camera_scanner_get_state (scanner), TILL_CAMERA_STATE_STOPPED);
}
END_TEST

/* /hw/camera-qr/v4l2-missing: the V4L2 source on a device that does not exist
 * (there is no camera here) is NO_CAMERA naming the device, not a crash. */
START_TEST (test_v4l2_missing)
{
  g_autoptr (TillCameraSource) source = till_camera_source_new_v4l2 ("/dev/video-opentill-none");
  g_autoptr (TillCameraScanner) scanner = till_camera_scanner_new (source, TILL_QR_SYMBOLOGY_QR);
  Rig rig = { 0 };

  rig.scanner = scanner;
  till_camera_scanner_start (scanner);
  wait_for_state (&rig, TILL_CAMERA_STATE_NO_CAMERA);
  ck_assert_msg (
      strstr (till_camera_scanner_get_error_message (scanner), "/dev/video-opentill-none") != NULL,
      "%s", till_camera_scanner_get_error_message (scanner));
}
END_TEST

/* /hw/camera-qr/unplug: frames, then the camera goes away: the frames before it
 * are decoded, then the state is UNPLUGGED with the reason. */
START_TEST (test_unplug)
{
  g_autoptr (GBytes) grey = render_qr_frame ("134526789012345678", &plain_spec);
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  push_at (&rig, grey, 1);
  till_camera_source_push_unplug (rig.source, "VIDIOC_DQBUF: No such device");
  wait_for_state (&rig, TILL_CAMERA_STATE_UNPLUGGED);
  ck_assert_uint_eq (rig.codes->len, 1);
  ck_assert_ptr_nonnull (
      strstr (till_camera_scanner_get_error_message (rig.scanner), "No such device"));
  /* Retry once it is back. */
  till_camera_scanner_start (rig.scanner);
  wait_for_state (&rig, TILL_CAMERA_STATE_RUNNING);
  rig_clear (&rig);
}
END_TEST

/* /hw/camera-qr/stop-drops-late-codes: a code decoded before stop() but not
 * yet dispatched is not emitted after it. */
START_TEST (test_stop_drops_late_codes)
{
  g_autoptr (GBytes) grey = render_qr_frame ("134526789012345678", &plain_spec);
  g_autoptr (TillCameraFrame) frame = till_camera_frame_new (TILL_CAMERA_FRAME_GREY, FRAME_WIDTH,
                                                             FRAME_HEIGHT, FRAME_WIDTH, grey, 1);
  Rig rig;

  rig_init (&rig, TILL_QR_SYMBOLOGY_DEFAULT);
  till_camera_source_push_frame (rig.source, frame);
  g_usleep (300 * 1000); /* decoded by the worker; nobody iterates the context */
  till_camera_scanner_stop (rig.scanner);
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  ck_assert_uint_eq (rig.codes->len, 0);
  ck_assert_uint_eq (rig.frames, 0);
  rig_clear (&rig);
}
END_TEST

static Suite *
camera_qr_suite (void)
{
  Suite *suite = suite_create ("/hw/camera-qr");
  TCase *decode = tcase_create ("/hw/camera-qr/decode");
  TCase *scanner = tcase_create ("/hw/camera-qr/scanner");

  /* Hundreds of 640×480 frames drawn and decoded under ASan. */
  tcase_set_timeout (decode, 240);
  tcase_add_test (decode, test_plain);
  tcase_add_test (decode, test_scaled);
  tcase_add_test (decode, test_rotated);
  tcase_add_test (decode, test_noisy);
  tcase_add_test (decode, test_low_contrast);
  tcase_add_test (decode, test_no_code);
  tcase_add_test (decode, test_random_frames);
  tcase_add_test (decode, test_symbologies);
  tcase_add_test (decode, test_decoder_stride_rgb);
  suite_add_tcase (suite, decode);

  tcase_set_timeout (scanner, 60);
  tcase_add_test (scanner, test_duplicates);
  tcase_add_test (scanner, test_preview_frames);
  tcase_add_test (scanner, test_no_camera);
  tcase_add_test (scanner, test_v4l2_missing);
  tcase_add_test (scanner, test_unplug);
  tcase_add_test (scanner, test_stop_drops_late_codes);
  suite_add_tcase (suite, scanner);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (camera_qr_suite ());
}
