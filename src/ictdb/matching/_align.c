/* Name-part similarity and alignment of one query name against many candidate names, in compiled code.
 *
 * The rules are those of ictdb.matching.score (part_similarity's skeleton and shape terms, name_score's
 * greedy pairing); the Python module ictdb.matching.fast documents the arguments and checks their shapes
 * before calling here, and the tests compare both results with the Python reference functions.
 * Arrays arrive through the buffer protocol (numpy arrays or array.array), C-contiguous.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Py_buffer view;
    int held;
} Held;

static void release(Held *held, int count) {
    for (int k = 0; k < count; k++) {
        if (held[k].held) {
            PyBuffer_Release(&held[k].view);
            held[k].held = 0;
        }
    }
}

static char kind_of(const char *format) {
    if (format == NULL) return 'B';
    while (*format == '<' || *format == '@' || *format == '=') format++;
    return *format;
}

/* Takes a C-contiguous buffer of doubles ('d'), 64-bit ints ('q') or 32-bit ints ('i'). */
static int take(PyObject *obj, Held *held, char want, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &held->view, flags) < 0) return -1;
    held->held = 1;
    char kind = kind_of(held->view.format);
    Py_ssize_t size = held->view.itemsize;
    int ok = (want == 'd' && kind == 'd' && size == 8) ||
             (want == 'q' && (kind == 'q' || kind == 'l') && size == 8) ||
             (want == 'i' && (kind == 'i' || kind == 'l') && size == 4);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of kind '%c', got '%s' of %zd bytes", name, want,
                     held->view.format ? held->view.format : "B", size);
        return -1;
    }
    return 0;
}

static Py_ssize_t items(Held *held) { return held->view.len / held->view.itemsize; }

#define DOUBLES(h) ((double *)(h).view.buf)
#define LONGS(h) ((int64_t *)(h).view.buf)
#define INTS(h) ((int32_t *)(h).view.buf)

static int bad(const char *message) {
    PyErr_SetString(PyExc_ValueError, message);
    return -1;
}

/* Whether two sorted-or-not small id lists share a value. */
static int share(const int64_t *left, Py_ssize_t left_count, const int32_t *right, Py_ssize_t right_count) {
    for (Py_ssize_t a = 0; a < left_count; a++)
        for (Py_ssize_t b = 0; b < right_count; b++)
            if (left[a] == (int64_t)right[b]) return 1;
    return 0;
}

static PyObject *part_matrix(PyObject *self, PyObject *args) {
    PyObject *objects[13];
    double skeleton_similarity, skeleton_reach, shape_similarity;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOOddd", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6], &objects[7], &objects[8], &objects[9],
                          &objects[10], &objects[11], &objects[12], &skeleton_similarity, &skeleton_reach,
                          &shape_similarity))
        return NULL;
    enum { RAW, Q_KEYS, C_KEYS, NUMBERS, Q_SKEL_START, Q_SKEL, P_SKEL_START, P_SKEL, Q_SHAPE_START, Q_SHAPE,
           P_SHAPE_START, P_SHAPE, OUT };
    static const char kinds[] = {'d', 'q', 'q', 'q', 'q', 'q', 'i', 'i', 'q', 'q', 'i', 'i', 'd'};
    static const char *names[] = {"raw", "query_key_starts", "candidate_key_starts", "numbers",
                                  "query_skeleton_starts", "query_skeletons", "part_skeleton_starts",
                                  "part_skeletons", "query_shape_starts", "query_shapes", "part_shape_starts",
                                  "part_shapes", "out"};
    Held held[13] = {{0}};
    for (int k = 0; k < 13; k++) {
        if (take(objects[k], &held[k], kinds[k], k == OUT, names[k]) < 0) {
            release(held, 13);
            return NULL;
        }
    }
    Py_ssize_t query_count = items(&held[Q_KEYS]) - 1;
    Py_ssize_t columns = items(&held[C_KEYS]) - 1;
    Py_ssize_t parts = items(&held[P_SKEL_START]) - 1;
    int64_t *q_keys = LONGS(held[Q_KEYS]), *c_keys = LONGS(held[C_KEYS]), *numbers = LONGS(held[NUMBERS]);
    Py_ssize_t raw_width = query_count >= 0 && columns >= 0 ? c_keys[columns] : 0;
    int failed = 0;
    if (query_count < 0 || columns < 0 || parts < 0) failed = bad("starts arrays need at least one item");
    else if (items(&held[NUMBERS]) != columns) failed = bad("numbers and candidate_key_starts disagree");
    else if (items(&held[OUT]) != query_count * columns) failed = bad("out has the wrong size");
    else if (items(&held[RAW]) != q_keys[query_count] * raw_width) failed = bad("raw has the wrong size");
    else if (items(&held[Q_SKEL_START]) != query_count + 1 || items(&held[Q_SHAPE_START]) != query_count + 1)
        failed = bad("query starts have the wrong size");
    else if (items(&held[P_SHAPE_START]) != parts + 1) failed = bad("part starts disagree");
    for (Py_ssize_t j = 0; !failed && j < columns; j++)
        if (numbers[j] < 0 || numbers[j] >= parts || c_keys[j] >= c_keys[j + 1]) failed = bad("bad candidate part");
    for (Py_ssize_t i = 0; !failed && i < query_count; i++)
        if (q_keys[i] >= q_keys[i + 1]) failed = bad("a query part without keys");
    if (failed) {
        release(held, 13);
        return NULL;
    }
    double *raw = DOUBLES(held[RAW]), *out = DOUBLES(held[OUT]);
    int64_t *q_skel_start = LONGS(held[Q_SKEL_START]), *q_skel = LONGS(held[Q_SKEL]);
    int64_t *q_shape_start = LONGS(held[Q_SHAPE_START]), *q_shape = LONGS(held[Q_SHAPE]);
    int32_t *p_skel_start = INTS(held[P_SKEL_START]), *p_skel = INTS(held[P_SKEL]);
    int32_t *p_shape_start = INTS(held[P_SHAPE_START]), *p_shape = INTS(held[P_SHAPE]);
    for (Py_ssize_t i = 0; i < query_count; i++) {
        for (Py_ssize_t j = 0; j < columns; j++) {
            double best = 0.0;
            for (int64_t a = q_keys[i]; a < q_keys[i + 1]; a++)
                for (int64_t b = c_keys[j]; b < c_keys[j + 1]; b++) {
                    double value = raw[a * raw_width + b];
                    if (value > best) best = value;
                }
            int64_t number = numbers[j];
            if (share(q_skel + q_skel_start[i], q_skel_start[i + 1] - q_skel_start[i], p_skel + p_skel_start[number],
                      p_skel_start[number + 1] - p_skel_start[number])) {
                double lifted = best + skeleton_reach;
                if (lifted > skeleton_similarity) lifted = skeleton_similarity;
                if (lifted > best) best = lifted;
            }
            if (best < shape_similarity &&
                share(q_shape + q_shape_start[i], q_shape_start[i + 1] - q_shape_start[i],
                      p_shape + p_shape_start[number], p_shape_start[number + 1] - p_shape_start[number]))
                best = shape_similarity;
            out[i * columns + j] = best;
        }
    }
    release(held, 13);
    Py_RETURN_NONE;
}

typedef struct {
    double value;
    int64_t query;
    int64_t position;
} Pair;

/* Most similar first; on ties the later query part, then the later candidate part (as name_score does). */
static int pair_order(const void *left, const void *right) {
    const Pair *a = left, *b = right;
    if (a->value != b->value) return a->value > b->value ? -1 : 1;
    if (a->query != b->query) return a->query > b->query ? -1 : 1;
    if (a->position != b->position) return a->position > b->position ? -1 : 1;
    return 0;
}

static PyObject *align(PyObject *self, PyObject *args) {
    PyObject *objects[9];
    double min_similarity, extra_weight;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOdd", &objects[0], &objects[1], &objects[2], &objects[3], &objects[4],
                          &objects[5], &objects[6], &objects[7], &objects[8], &min_similarity, &extra_weight))
        return NULL;
    enum { SIM, STARTS, COLUMNS, WEIGHTS, QUERY_WEIGHTS, SCORES, COUNTS, PAIRS, VALUES };
    static const char kinds[] = {'d', 'q', 'q', 'd', 'd', 'd', 'q', 'q', 'd'};
    static const char *names[] = {"similarity", "name_starts", "columns", "weights", "query_weights",
                                  "scores", "pair_counts", "pairs", "pair_values"};
    Held held[9] = {{0}};
    for (int k = 0; k < 9; k++) {
        if (take(objects[k], &held[k], kinds[k], k >= SCORES, names[k]) < 0) {
            release(held, 9);
            return NULL;
        }
    }
    Py_ssize_t query_count = items(&held[QUERY_WEIGHTS]);
    Py_ssize_t width = items(&held[WEIGHTS]);
    Py_ssize_t count = items(&held[STARTS]) - 1;
    int64_t *starts = LONGS(held[STARTS]), *columns = LONGS(held[COLUMNS]);
    int failed = 0;
    if (count < 0) failed = bad("name_starts needs at least one item");
    else if (items(&held[SIM]) != query_count * width) failed = bad("similarity has the wrong size");
    else if (items(&held[SCORES]) != count || items(&held[COUNTS]) != count) failed = bad("outputs have the wrong size");
    else if (items(&held[PAIRS]) != 2 * count * query_count || items(&held[VALUES]) != count * query_count)
        failed = bad("pair outputs have the wrong size");
    else if (starts[0] != 0 || starts[count] != items(&held[COLUMNS])) failed = bad("name_starts and columns disagree");
    Py_ssize_t longest = 0;
    for (Py_ssize_t n = 0; !failed && n < count; n++) {
        if (starts[n + 1] < starts[n]) failed = bad("name_starts must not decrease");
        else if (starts[n + 1] - starts[n] > longest) longest = starts[n + 1] - starts[n];
    }
    for (Py_ssize_t p = 0; !failed && p < items(&held[COLUMNS]); p++)
        if (columns[p] < 0 || columns[p] >= width) failed = bad("a column out of range");
    if (failed) {
        release(held, 9);
        return NULL;
    }
    double *sim = DOUBLES(held[SIM]), *weights = DOUBLES(held[WEIGHTS]), *query_weights = DOUBLES(held[QUERY_WEIGHTS]);
    double *scores = DOUBLES(held[SCORES]), *values = DOUBLES(held[VALUES]);
    int64_t *counts = LONGS(held[COUNTS]), *pairs = LONGS(held[PAIRS]);
    Pair *found = PyMem_Malloc(sizeof(Pair) * (size_t)(query_count * longest + 1));
    char *used_query = PyMem_Malloc((size_t)query_count + 1);
    char *used_position = PyMem_Malloc((size_t)longest + 1);
    if (found == NULL || used_query == NULL || used_position == NULL) {
        PyMem_Free(found);
        PyMem_Free(used_query);
        PyMem_Free(used_position);
        release(held, 9);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t n = 0; n < count; n++) {
        int64_t first = starts[n], length = starts[n + 1] - starts[n];
        Py_ssize_t found_count = 0;
        for (Py_ssize_t i = 0; i < query_count; i++)
            for (int64_t p = 0; p < length; p++) {
                double value = sim[i * width + columns[first + p]];
                if (value >= min_similarity) found[found_count++] = (Pair){value, i, p};
            }
        qsort(found, (size_t)found_count, sizeof(Pair), pair_order);
        memset(used_query, 0, (size_t)query_count);
        memset(used_position, 0, (size_t)length);
        double earned = 0.0, matched = 0.0;
        int64_t paired = 0;
        for (Py_ssize_t k = 0; k < found_count; k++) {
            Pair pair = found[k];
            if (used_query[pair.query] || used_position[pair.position]) continue;
            used_query[pair.query] = used_position[pair.position] = 1;
            Py_ssize_t slot = n * query_count + paired;
            pairs[2 * slot] = pair.query;
            pairs[2 * slot + 1] = pair.position;
            values[slot] = pair.value;
            paired++;
            double weight = weights[columns[first + pair.position]];
            double share_of = (pair.value - min_similarity) / (1.0 - min_similarity);
            earned += 2 * weight * share_of;
            matched += weight * (1.0 + extra_weight + (1.0 - extra_weight) * share_of);
        }
        double missing_query = 0.0, missing_candidate = 0.0;
        for (Py_ssize_t i = 0; i < query_count; i++)
            if (!used_query[i]) missing_query += query_weights[i];
        for (int64_t p = 0; p < length; p++)
            if (!used_position[p]) missing_candidate += weights[columns[first + p]];
        double total = matched + missing_query + extra_weight * missing_candidate;
        counts[n] = paired;
        scores[n] = total > 0 ? earned / total : 0.0;
    }
    PyMem_Free(found);
    PyMem_Free(used_query);
    PyMem_Free(used_position);
    release(held, 9);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"part_matrix", part_matrix, METH_VARARGS,
     "Similarity of each query part with each candidate part: best key similarity, skeleton and shape terms."},
    {"align", align, METH_VARARGS, "Greedy alignment of one query name with many candidate names."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_align", "Compiled name alignment.", -1, methods};

PyMODINIT_FUNC PyInit__align(void) { return PyModule_Create(&module); }
