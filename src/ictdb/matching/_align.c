/* Name-part similarity and alignment of one query name against many candidate names, in compiled code; and
 * the likeliest reading of a Cyrillic word's letters as Latin spellings (ictdb.matching.cyrillic.channel_cost).
 *
 * The rules are those of ictdb.matching.score (part_similarity's skeleton and shape terms, name_score's
 * greedy pairing); the Python module ictdb.matching.alignment documents the arguments and checks their shapes
 * before calling here, and the tests compare both results with the Python reference functions.
 * Arrays arrive through the buffer protocol (numpy arrays or array.array), C-contiguous.
 *
 * HOLDING. The index's own arrays (array.array) cannot grow while a buffer of theirs is held, and another
 * thread's add appends to them. Python code run while one is held (a callback, or a finalizer run by the
 * garbage collection that making a list, tuple or dict can start) may let that thread in, whose append then
 * fails. So a function here holds an index array only around plain reads and writes and the making of bytes:
 * no callback, and no new list, tuple or dict, until it is released.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static PyObject *tag_name, *schema_name; /* an index entry's visibility tag and schema */
static PyObject *keys_name, *skeletons_name, *shapes_name, *text_name; /* attributes of a name part */
static PyObject *query_name, *matched_name, *similarity_name; /* keys of a part pair's explanation */

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

/* Takes a C-contiguous buffer of doubles ('d'), 64-bit ints ('q'), 32-bit ints ('i') or bytes ('B'). */
static int take(PyObject *obj, Held *held, char want, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &held->view, flags) < 0) return -1;
    held->held = 1;
    char kind = kind_of(held->view.format);
    Py_ssize_t size = held->view.itemsize;
    int ok = (want == 'd' && kind == 'd' && size == 8) ||
             (want == 'q' && (kind == 'q' || kind == 'l') && size == 8) ||
             (want == 'i' && (kind == 'i' || kind == 'l') && size == 4) ||
             (want == 'B' && kind == 'B' && size == 1);
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

/* Appends to ``codes`` the code in ``numbered`` of each string of ``values`` that has one (and at least
 * ``shortest`` letters); returns how many, or -1 with an exception set. */
static Py_ssize_t codes_of(PyObject *values, PyObject *numbered, Py_ssize_t shortest, int64_t *codes) {
    if (!PyTuple_Check(values)) return bad("a part's skeletons and shapes must be tuples");
    Py_ssize_t count = 0;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(values); k++) {
        PyObject *value = PyTuple_GET_ITEM(values, k);
        if (!PyUnicode_Check(value)) return bad("skeletons and shapes must be strings");
        if (PyUnicode_GET_LENGTH(value) < shortest) continue;
        PyObject *code = PyDict_GetItemWithError(numbered, value);
        if (code == NULL) {
            if (PyErr_Occurred()) return -1;
            continue;
        }
        codes[count] = PyLong_AsLongLong(code);
        if (codes[count] == -1 && PyErr_Occurred()) return -1;
        count++;
    }
    return count;
}

/* The number of strings in tuple attribute ``name`` of each part, summed; -1 with an exception set. */
static Py_ssize_t tuple_sizes(PyObject *parts, PyObject *name) {
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(parts); i++) {
        PyObject *values = PyObject_GetAttr(PyTuple_GET_ITEM(parts, i), name);
        if (values == NULL) return -1;
        int ok = PyTuple_Check(values);
        total += ok ? PyTuple_GET_SIZE(values) : 0;
        Py_DECREF(values);
        if (!ok) return bad("a part's keys, skeletons and shapes must be tuples");
    }
    return total;
}

/* A query's parts as codes: where each part's keys start among the query's keys (as cdist's rows are laid
 * out), and its skeletons (of two letters or more) and shapes as the index numbers them, ragged. */
typedef struct {
    int64_t *key_start, *skeleton_start, *skeletons, *shape_start, *shapes;
} QueryCodes;

static void free_query_codes(QueryCodes *codes) {
    PyMem_Free(codes->key_start);
    PyMem_Free(codes->skeletons);
    PyMem_Free(codes->shapes);
}

static int query_codes(PyObject *parts, PyObject *skeleton_codes, PyObject *shape_codes, QueryCodes *codes) {
    Py_ssize_t count = PyTuple_GET_SIZE(parts);
    Py_ssize_t skeleton_room = tuple_sizes(parts, skeletons_name), shape_room = tuple_sizes(parts, shapes_name);
    if (skeleton_room < 0 || shape_room < 0) return -1;
    codes->key_start = PyMem_Malloc(sizeof(int64_t) * (size_t)(3 * (count + 1)));
    codes->skeletons = PyMem_Malloc(sizeof(int64_t) * (size_t)(skeleton_room + 1));
    codes->shapes = PyMem_Malloc(sizeof(int64_t) * (size_t)(shape_room + 1));
    if (codes->key_start == NULL || codes->skeletons == NULL || codes->shapes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    codes->skeleton_start = codes->key_start + count + 1;
    codes->shape_start = codes->skeleton_start + count + 1;
    codes->key_start[0] = codes->skeleton_start[0] = codes->shape_start[0] = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *part = PyTuple_GET_ITEM(parts, i);
        PyObject *keys = PyObject_GetAttr(part, keys_name);
        PyObject *skeletons = PyObject_GetAttr(part, skeletons_name);
        PyObject *shapes = PyObject_GetAttr(part, shapes_name);
        Py_ssize_t keys_count = keys != NULL && PyTuple_Check(keys) ? PyTuple_GET_SIZE(keys) : -1;
        Py_ssize_t found_skeletons = skeletons == NULL ? -1
            : codes_of(skeletons, skeleton_codes, 2, codes->skeletons + codes->skeleton_start[i]);
        Py_ssize_t found_shapes = shapes == NULL || found_skeletons < 0 ? -1
            : codes_of(shapes, shape_codes, 0, codes->shapes + codes->shape_start[i]);
        Py_XDECREF(keys);
        Py_XDECREF(skeletons);
        Py_XDECREF(shapes);
        if (keys_count < 1 || found_skeletons < 0 || found_shapes < 0) {
            if (!PyErr_Occurred()) bad("a query part without keys");
            return -1;
        }
        codes->key_start[i + 1] = codes->key_start[i] + keys_count;
        codes->skeleton_start[i + 1] = codes->skeleton_start[i] + found_skeletons;
        codes->shape_start[i + 1] = codes->shape_start[i] + found_shapes;
    }
    return 0;
}

static PyObject *part_matrix(PyObject *self, PyObject *args) {
    PyObject *objects[8], *query_parts, *skeleton_codes, *shape_codes;
    double skeleton_similarity, skeleton_reach, shape_similarity;
    if (!PyArg_ParseTuple(args, "OO!O!O!OOOOOOOddd", &objects[0], &PyTuple_Type, &query_parts, &PyDict_Type,
                          &skeleton_codes, &PyDict_Type, &shape_codes, &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6], &objects[7], &skeleton_similarity,
                          &skeleton_reach, &shape_similarity))
        return NULL;
    enum { RAW, C_KEYS, NUMBERS, P_SKEL_START, P_SKEL, P_SHAPE_START, P_SHAPE, OUT };
    static const char kinds[] = {'d', 'q', 'q', 'i', 'i', 'i', 'i', 'd'};
    static const char *names[] = {"raw", "candidate_key_starts", "numbers", "part_skeleton_starts",
                                  "part_skeletons", "part_shape_starts", "part_shapes", "out"};
    Held held[8] = {{0}};
    for (int k = 0; k < 8; k++) {
        if (take(objects[k], &held[k], kinds[k], k == OUT, names[k]) < 0) {
            release(held, 8);
            return NULL;
        }
    }
    QueryCodes query = {0};
    if (query_codes(query_parts, skeleton_codes, shape_codes, &query) < 0) {
        free_query_codes(&query);
        release(held, 8);
        return NULL;
    }
    Py_ssize_t query_count = PyTuple_GET_SIZE(query_parts);
    Py_ssize_t columns = items(&held[C_KEYS]) - 1;
    Py_ssize_t parts = items(&held[P_SKEL_START]) - 1;
    int64_t *q_keys = query.key_start, *c_keys = LONGS(held[C_KEYS]), *numbers = LONGS(held[NUMBERS]);
    Py_ssize_t raw_width = columns >= 0 ? c_keys[columns] : 0;
    int failed = 0;
    if (columns < 0 || parts < 0) failed = bad("starts arrays need at least one item");
    else if (items(&held[NUMBERS]) != columns) failed = bad("numbers and candidate_key_starts disagree");
    else if (items(&held[OUT]) != query_count * columns) failed = bad("out has the wrong size");
    else if (items(&held[RAW]) != q_keys[query_count] * raw_width) failed = bad("raw has the wrong size");
    else if (items(&held[P_SHAPE_START]) != parts + 1) failed = bad("part starts disagree");
    for (Py_ssize_t j = 0; !failed && j < columns; j++)
        if (numbers[j] < 0 || numbers[j] >= parts || c_keys[j] >= c_keys[j + 1]) failed = bad("bad candidate part");
    if (failed) {
        free_query_codes(&query);
        release(held, 8);
        return NULL;
    }
    double *raw = DOUBLES(held[RAW]), *out = DOUBLES(held[OUT]);
    int64_t *q_skel_start = query.skeleton_start, *q_skel = query.skeletons;
    int64_t *q_shape_start = query.shape_start, *q_shape = query.shapes;
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
    free_query_codes(&query);
    release(held, 8);
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

/* Sorts a name's few pairs by ``pair_order`` in place: a handful each, for which insertion beats qsort's
 * calls through a pointer (the order is total, so any sort gives the same). */
static void sort_pairs(Pair *pairs, Py_ssize_t count) {
    for (Py_ssize_t k = 1; k < count; k++) {
        Pair pair = pairs[k];
        Py_ssize_t at = k;
        while (at > 0 && pair_order(&pair, &pairs[at - 1]) < 0) {
            pairs[at] = pairs[at - 1];
            at--;
        }
        pairs[at] = pair;
    }
}

/* One pairing step as the tuple (query part, the name's part, similarity). */
static PyObject *step_of(Pair pair) {
    PyObject *query = PyLong_FromSsize_t((Py_ssize_t)pair.query);
    PyObject *position = PyLong_FromSsize_t((Py_ssize_t)pair.position);
    PyObject *value = PyFloat_FromDouble(pair.value);
    PyObject *step = query && position && value ? PyTuple_Pack(3, query, position, value) : NULL;
    Py_XDECREF(query);
    Py_XDECREF(position);
    Py_XDECREF(value);
    return step;
}

/* Scores each name into ``scores`` and returns, per name, a tuple of its pairs (query part, the name's
 * part, similarity) in the order they were paired. */
static PyObject *align(PyObject *self, PyObject *args) {
    PyObject *objects[6];
    double min_similarity, extra_weight;
    if (!PyArg_ParseTuple(args, "OOOOOOdd", &objects[0], &objects[1], &objects[2], &objects[3], &objects[4],
                          &objects[5], &min_similarity, &extra_weight))
        return NULL;
    enum { SIM, STARTS, COLUMNS, WEIGHTS, QUERY_WEIGHTS, SCORES };
    static const char kinds[] = {'d', 'q', 'q', 'd', 'd', 'd'};
    static const char *names[] = {"similarity", "name_starts", "columns", "weights", "query_weights", "scores"};
    Held held[6] = {{0}};
    for (int k = 0; k < 6; k++) {
        if (take(objects[k], &held[k], kinds[k], k == SCORES, names[k]) < 0) {
            release(held, 6);
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
    else if (items(&held[SCORES]) != count) failed = bad("scores has the wrong size");
    else if (starts[0] != 0 || starts[count] != items(&held[COLUMNS])) failed = bad("name_starts and columns disagree");
    Py_ssize_t longest = 0;
    for (Py_ssize_t n = 0; !failed && n < count; n++) {
        if (starts[n + 1] < starts[n]) failed = bad("name_starts must not decrease");
        else if (starts[n + 1] - starts[n] > longest) longest = starts[n + 1] - starts[n];
    }
    for (Py_ssize_t p = 0; !failed && p < items(&held[COLUMNS]); p++)
        if (columns[p] < 0 || columns[p] >= width) failed = bad("a column out of range");
    if (failed) {
        release(held, 6);
        return NULL;
    }
    double *sim = DOUBLES(held[SIM]), *weights = DOUBLES(held[WEIGHTS]), *query_weights = DOUBLES(held[QUERY_WEIGHTS]);
    double *scores = DOUBLES(held[SCORES]);
    Pair *found = PyMem_Malloc(sizeof(Pair) * (size_t)(query_count * longest + 1));
    Pair *paired_list = PyMem_Malloc(sizeof(Pair) * (size_t)(query_count + 1));
    char *used_query = PyMem_Malloc((size_t)query_count + 1);
    char *used_position = PyMem_Malloc((size_t)longest + 1);
    PyObject *result = PyList_New(count);
    int ok = found != NULL && paired_list != NULL && used_query != NULL && used_position != NULL && result != NULL;
    if (!ok && !PyErr_Occurred()) PyErr_NoMemory();
    for (Py_ssize_t n = 0; ok && n < count; n++) {
        int64_t first = starts[n], length = starts[n + 1] - starts[n];
        Py_ssize_t found_count = 0;
        for (Py_ssize_t i = 0; i < query_count; i++)
            for (int64_t p = 0; p < length; p++) {
                double value = sim[i * width + columns[first + p]];
                if (value >= min_similarity) found[found_count++] = (Pair){value, i, p};
            }
        sort_pairs(found, found_count);
        memset(used_query, 0, (size_t)query_count);
        memset(used_position, 0, (size_t)length);
        double earned = 0.0, matched = 0.0;
        Py_ssize_t paired = 0;
        for (Py_ssize_t k = 0; k < found_count; k++) {
            Pair pair = found[k];
            if (used_query[pair.query] || used_position[pair.position]) continue;
            used_query[pair.query] = used_position[pair.position] = 1;
            paired_list[paired++] = pair;
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
        scores[n] = total > 0 ? earned / total : 0.0;
        PyObject *steps = PyTuple_New(paired);
        ok = steps != NULL;
        for (Py_ssize_t k = 0; ok && k < paired; k++) {
            PyObject *step = step_of(paired_list[k]);
            ok = step != NULL;
            if (ok) PyTuple_SET_ITEM(steps, k, step);
        }
        if (steps != NULL) PyList_SET_ITEM(result, n, steps);
    }
    PyMem_Free(found);
    PyMem_Free(paired_list);
    PyMem_Free(used_query);
    PyMem_Free(used_position);
    release(held, 6);
    if (!ok) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

/* The parts of a batch of names as columns: each distinct part once, in order of first appearance.
 * Returns (name starts, columns, part numbers, key starts) as bytes of int64, then the columns' parts and
 * their spellings, taken from the index's list of parts and flat list of spellings. ``scratch`` (one int64
 * per part number, all -1) is left as it was found. */
static PyObject *gather(PyObject *self, PyObject *args) {
    PyObject *objects[5], *all_parts, *all_keys;
    if (!PyArg_ParseTuple(args, "OOOOOO!O!", &objects[0], &objects[1], &objects[2], &objects[3], &objects[4],
                          &PyList_Type, &all_parts, &PyList_Type, &all_keys))
        return NULL;
    enum { IDS, NAME_START, NAME_PARTS, KEY_START, SCRATCH };
    static const char kinds[] = {'q', 'i', 'i', 'i', 'q'};
    static const char *names[] = {"name_ids", "name_start", "name_parts", "key_start", "scratch"};
    /* Made before the index's arrays are taken (see HOLDING), then only grown. */
    PyObject *keys = PyList_New(0), *parts = PyList_New(0);
    if (keys == NULL || parts == NULL) {
        Py_XDECREF(keys);
        Py_XDECREF(parts);
        return NULL;
    }
    Held held[5] = {{0}};
    for (int k = 0; k < 5; k++) {
        if (take(objects[k], &held[k], kinds[k], k == SCRATCH, names[k]) < 0) {
            release(held, 5);
            Py_DECREF(keys);
            Py_DECREF(parts);
            return NULL;
        }
    }
    Py_ssize_t count = items(&held[IDS]), names_known = items(&held[NAME_START]) - 1;
    Py_ssize_t parts_known = items(&held[SCRATCH]), flat = items(&held[NAME_PARTS]);
    int64_t *ids = LONGS(held[IDS]), *scratch = LONGS(held[SCRATCH]);
    int32_t *name_start = INTS(held[NAME_START]), *name_parts = INTS(held[NAME_PARTS]);
    int32_t *key_start = INTS(held[KEY_START]);
    int failed = items(&held[KEY_START]) != parts_known + 1 ? bad("key_start and scratch disagree") : 0;
    if (!failed && (PyList_GET_SIZE(all_parts) != parts_known || key_start[parts_known] != PyList_GET_SIZE(all_keys)))
        failed = bad("the lists of parts and spellings disagree with the arrays");
    Py_ssize_t total = 0;
    for (Py_ssize_t n = 0; !failed && n < count; n++) {
        if (ids[n] < 0 || ids[n] >= names_known) failed = bad("a name id out of range");
        else if (name_start[ids[n]] < 0 || name_start[ids[n] + 1] > flat || name_start[ids[n] + 1] < name_start[ids[n]])
            failed = bad("name_start out of range");
        else total += name_start[ids[n] + 1] - name_start[ids[n]];
    }
    for (Py_ssize_t n = 0; !failed && n < count; n++)
        for (int32_t p = name_start[ids[n]]; !failed && p < name_start[ids[n] + 1]; p++)
            if (name_parts[p] < 0 || name_parts[p] >= parts_known) failed = bad("a part number out of range");
    if (failed) {
        release(held, 5);
        Py_DECREF(keys);
        Py_DECREF(parts);
        return NULL;
    }
    PyObject *starts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * (count + 1));
    PyObject *columns = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * total);
    int64_t *numbers = PyMem_Malloc(sizeof(int64_t) * (size_t)(total + 1));
    PyObject *result = NULL, *number_bytes = NULL, *key_starts = NULL;
    int ok = 0;
    if (starts == NULL || columns == NULL || numbers == NULL) goto done;
    int64_t *start_out = (int64_t *)PyBytes_AS_STRING(starts), *column_out = (int64_t *)PyBytes_AS_STRING(columns);
    Py_ssize_t position = 0, distinct = 0;
    start_out[0] = 0;
    for (Py_ssize_t n = 0; n < count; n++) {
        for (int32_t p = name_start[ids[n]]; p < name_start[ids[n] + 1]; p++) {
            int32_t part = name_parts[p];
            if (scratch[part] < 0) {
                scratch[part] = distinct;
                numbers[distinct++] = part;
            }
            column_out[position++] = scratch[part];
        }
        start_out[n + 1] = position;
    }
    number_bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * distinct);
    key_starts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * (distinct + 1));
    if (number_bytes != NULL && key_starts != NULL) {
        int64_t *number_out = (int64_t *)PyBytes_AS_STRING(number_bytes);
        int64_t *key_out = (int64_t *)PyBytes_AS_STRING(key_starts);
        key_out[0] = 0;
        ok = 1;
        for (Py_ssize_t d = 0; d < distinct && ok; d++) {
            number_out[d] = numbers[d];
            key_out[d + 1] = key_out[d] + (key_start[numbers[d] + 1] - key_start[numbers[d]]);
            ok = PyList_Append(parts, PyList_GET_ITEM(all_parts, numbers[d])) == 0;
            for (int32_t k = key_start[numbers[d]]; k < key_start[numbers[d] + 1] && ok; k++)
                ok = PyList_Append(keys, PyList_GET_ITEM(all_keys, k)) == 0;
        }
    }
    for (Py_ssize_t d = 0; d < distinct; d++) scratch[numbers[d]] = -1;
done:
    release(held, 5);
    if (ok) result = PyTuple_Pack(6, starts, columns, number_bytes, key_starts, parts, keys);
    Py_XDECREF(starts);
    Py_XDECREF(columns);
    Py_XDECREF(number_bytes);
    Py_XDECREF(key_starts);
    Py_XDECREF(keys);
    Py_XDECREF(parts);
    PyMem_Free(numbers);
    if (result == NULL && !PyErr_Occurred()) PyErr_NoMemory();
    return result;
}

typedef struct {
    double total;
    int32_t id;
} Ranked;

/* Whether a ranks after b: fewer shared keys (by weight), then the higher id. */
static int worse(Ranked a, Ranked b) { return a.total < b.total || (a.total == b.total && a.id > b.id); }

static void sift_down(Ranked *heap, Py_ssize_t size, Py_ssize_t at) {
    for (;;) {
        Py_ssize_t left = 2 * at + 1, right = left + 1, worst = at;
        if (left < size && worse(heap[left], heap[worst])) worst = left;
        if (right < size && worse(heap[right], heap[worst])) worst = right;
        if (worst == at) return;
        Ranked swap = heap[at];
        heap[at] = heap[worst];
        heap[worst] = swap;
        at = worst;
    }
}

/* Sorts ranked names in place, best first (ties to the lower id): a heap sort over the heap order that
 * selection already uses, with no call through a function pointer per comparison as qsort makes. */
static void sort_best_first(Ranked *ranked, Py_ssize_t count) {
    for (Py_ssize_t n = count / 2; n-- > 0;) sift_down(ranked, count, n);
    for (Py_ssize_t end = count - 1; end > 0; end--) {
        Ranked worst = ranked[0];
        ranked[0] = ranked[end];
        ranked[end] = worst;
        sift_down(ranked, end, 0);
    }
}

static void sort_by_id(Ranked *ranked, Py_ssize_t count) {
    for (Py_ssize_t n = 1; n < count; n++) {
        Ranked item = ranked[n];
        Py_ssize_t at = n;
        for (; at > 0 && ranked[at - 1].id > item.id; at--) ranked[at] = ranked[at - 1];
        ranked[at] = item;
    }
}

/* The postings of a query's keys that ranking reads: those of at most ``cap`` names, shortest first (in the
 * keys' order among equal lengths), up to the first whose running total passes ``budget`` names (the commoner
 * keys add little to the rank and cost the most). Returns how many, or -1 with an exception set. */
static Py_ssize_t usable_postings(PyObject *keys, PyObject *postings, Py_ssize_t cap, Py_ssize_t budget,
                                  Held **views_out, Py_ssize_t *found_out) {
    Py_ssize_t room = PyAnySet_Check(keys) ? PySet_GET_SIZE(keys) : 16, count = 0, found = 0;
    Held *views = PyMem_Calloc((size_t)room + 1, sizeof(Held));
    PyObject *iterator = PyObject_GetIter(keys), *key;
    if (views == NULL || iterator == NULL) {
        PyMem_Free(views);
        Py_XDECREF(iterator);
        if (!PyErr_Occurred()) PyErr_NoMemory();
        return -1;
    }
    while ((key = PyIter_Next(iterator)) != NULL) {
        PyObject *posting = PyDict_GetItemWithError(postings, key);
        Py_DECREF(key);
        if (posting == NULL) {
            if (PyErr_Occurred()) break;
            continue;
        }
        if (count == room) {
            Held *grown = PyMem_Realloc(views, sizeof(Held) * (size_t)(2 * room + 1));
            if (grown == NULL) {
                PyErr_NoMemory();
                break;
            }
            memset(grown + room, 0, sizeof(Held) * (size_t)(room + 1));
            views = grown;
            room = 2 * room + 1;
        }
        if (take(posting, &views[count], 'i', 0, "posting") < 0) {
            release(&views[count], 1); /* a buffer of the wrong kind is held until released */
            break;
        }
        Py_ssize_t length = items(&views[count]);
        found += length > 0;
        if (length == 0 || length > cap) {
            release(&views[count], 1);
            continue;
        }
        /* insertion keeps equal lengths in the keys' order */
        Held item = views[count];
        Py_ssize_t at = count;
        for (; at > 0 && items(&views[at - 1]) > length; at--) views[at] = views[at - 1];
        views[at] = item;
        count++;
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred()) {
        for (Py_ssize_t k = 0; k < count; k++) release(&views[k], 1);
        PyMem_Free(views);
        return -1;
    }
    Py_ssize_t spent = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        spent += items(&views[k]);
        if (spent > budget && k) {
            for (Py_ssize_t rest = k; rest < count; rest++) release(&views[rest], 1);
            count = k;
            break;
        }
    }
    *views_out = views;
    *found_out = found;
    return count;
}

/* Names ranked by the blocking keys of a query they share: each key found in ``postings`` (key -> int32 name
 * ids) and read by ``usable_postings`` adds log1p(cap / its length) to each of its names. The best ``size`` of
 * them, most shared first (ties to the lower id), or all of them by id when there are no more than ``keep``.
 * ``scratch`` (one double per name id, all zero) is left as it was found; ids past its end are names added
 * since it was sized, which this search does not see. Returns bytes of int64 name ids, empty when no key has
 * a posting, or None when every posting is longer than ``cap``. */
static PyObject *rank_postings(PyObject *self, PyObject *args) {
    PyObject *keys, *postings, *scratch_object;
    Py_ssize_t size, keep, cap, budget;
    if (!PyArg_ParseTuple(args, "OO!Onnnn", &keys, &PyDict_Type, &postings, &scratch_object, &size, &keep, &cap,
                          &budget))
        return NULL;
    if (size < 1 || cap < 1) {
        bad("a positive size and cap are needed");
        return NULL;
    }
    Held scratch_held = {0};
    if (take(scratch_object, &scratch_held, 'd', 1, "scratch") < 0) {
        release(&scratch_held, 1);
        return NULL;
    }
    Held *views = NULL;
    Py_ssize_t found = 0;
    Py_ssize_t lists = usable_postings(keys, postings, cap, budget, &views, &found);
    if (lists < 0) {
        release(&scratch_held, 1);
        return NULL;
    }
    Py_ssize_t names = items(&scratch_held), total = 0;
    double *scratch = DOUBLES(scratch_held);
    int failed = 0;
    for (Py_ssize_t k = 0; k < lists && !failed; k++) {
        int32_t *ids = INTS(views[k]);
        for (Py_ssize_t n = 0; n < items(&views[k]) && !failed; n++)
            if (ids[n] < 0) failed = bad("a name id out of range");
        total += items(&views[k]);
    }
    Ranked *touched = failed || lists == 0 ? NULL : PyMem_Malloc(sizeof(Ranked) * (size_t)(total + 1));
    PyObject *result = NULL;
    if (!failed && lists == 0) {
        result = found ? Py_NewRef(Py_None) : PyBytes_FromStringAndSize(NULL, 0);
    } else if (!failed && touched != NULL) {
        Py_ssize_t count = 0;
        for (Py_ssize_t k = 0; k < lists; k++) {
            int32_t *ids = INTS(views[k]);
            double weight = log1p((double)cap / (double)items(&views[k]));
            for (Py_ssize_t n = 0; n < items(&views[k]); n++) {
                if (ids[n] >= names) continue; /* a name added by another thread since the scratch was sized */
                if (scratch[ids[n]] == 0.0) touched[count++].id = ids[n];
                scratch[ids[n]] += weight;
            }
        }
        for (Py_ssize_t n = 0; n < count; n++) {
            touched[n].total = scratch[touched[n].id];
            scratch[touched[n].id] = 0.0;
        }
        Py_ssize_t out_count = count;
        if (count <= keep) {
            sort_by_id(touched, count);
        } else {
            if (count > size) {
                for (Py_ssize_t n = size / 2; n-- > 0;) sift_down(touched, size, n);
                for (Py_ssize_t n = size; n < count; n++) {
                    if (worse(touched[0], touched[n])) {
                        touched[0] = touched[n];
                        sift_down(touched, size, 0);
                    }
                }
                out_count = size;
            }
            sort_best_first(touched, out_count);
        }
        result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * out_count);
        if (result != NULL) {
            int64_t *out = (int64_t *)PyBytes_AS_STRING(result);
            for (Py_ssize_t n = 0; n < out_count; n++) out[n] = touched[n].id;
        }
    } else if (!failed) {
        PyErr_NoMemory();
    }
    PyMem_Free(touched);
    for (Py_ssize_t k = 0; k < lists; k++) release(&views[k], 1);
    PyMem_Free(views);
    release(&scratch_held, 1);
    return result;
}

/* Levenshtein distance of two code-point strings where it is at most ``bound``, else bound + 1. Only cells
 * within ``bound`` of the diagonal can lie on a path that short (Ukkonen's band), and a row whose cells all
 * exceed it ends the work: most names are far from the query, and their distance need not be known. */
static Py_ssize_t bounded_distance(const Py_UCS4 *left, Py_ssize_t n, const Py_UCS4 *right, Py_ssize_t m,
                                   Py_ssize_t bound, Py_ssize_t *row) {
    Py_ssize_t over = bound + 1;
    if ((n > m ? n - m : m - n) > bound) return over;
    for (Py_ssize_t j = 0; j <= m; j++) row[j] = j < over ? j : over;
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_ssize_t low = i > bound ? i - bound : 1, high = i + bound < m ? i + bound : m;
        Py_ssize_t diagonal = row[low - 1];
        row[low - 1] = low == 1 && i < over ? i : over;
        Py_ssize_t smallest = row[low - 1];
        Py_UCS4 letter = left[i - 1];
        for (Py_ssize_t j = low; j <= high; j++) {
            Py_ssize_t above = row[j];
            Py_ssize_t best = diagonal + (letter != right[j - 1]);
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (best > over) best = over;
            row[j] = best;
            diagonal = above;
            if (best < smallest) smallest = best;
        }
        if (smallest > bound) return over;
    }
    return row[m] < over ? row[m] : over;
}

/* A query spelling of at most 64 letters as bit masks: bit i of a letter's mask is set where the spelling has
 * that letter at position i. Letters a-z and the rest of ASCII are looked up directly, others in a short list. */
typedef struct {
    uint64_t ascii[128];
    Py_UCS4 other[64];
    uint64_t other_mask[64];
    int others;
    Py_ssize_t length;
} Pattern;

#define PATTERN_LONGEST 64

static void pattern_of(const Py_UCS4 *letters, Py_ssize_t length, Pattern *pattern) {
    memset(pattern->ascii, 0, sizeof(pattern->ascii));
    pattern->others = 0;
    pattern->length = length;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 letter = letters[i];
        if (letter < 128) {
            pattern->ascii[letter] |= 1ULL << i;
            continue;
        }
        int k = 0;
        while (k < pattern->others && pattern->other[k] != letter) k++;
        if (k == pattern->others) {
            pattern->other[k] = letter;
            pattern->other_mask[k] = 0;
            pattern->others++;
        }
        pattern->other_mask[k] |= 1ULL << i;
    }
}

static uint64_t mask_of(const Pattern *pattern, Py_UCS4 letter) {
    if (letter < 128) return pattern->ascii[letter];
    for (int k = 0; k < pattern->others; k++)
        if (pattern->other[k] == letter) return pattern->other_mask[k];
    return 0;
}

/* The Levenshtein distance of a pattern (1 to 64 letters) and a string, a column of the edit table per letter
 * of the string held as bit vectors of vertical differences (Myers 1999, as Hyyrö 2003 gives it for the
 * edit distance): a few word operations per letter where the band of ``bounded_distance`` fills a cell per
 * letter pair. */
static Py_ssize_t pattern_distance(const Pattern *pattern, const Py_UCS4 *text, Py_ssize_t n) {
    uint64_t positive = ~0ULL, negative = 0, last = 1ULL << (pattern->length - 1);
    Py_ssize_t distance = pattern->length;
    for (Py_ssize_t j = 0; j < n; j++) {
        uint64_t match = mask_of(pattern, text[j]);
        uint64_t zero = (((match & positive) + positive) ^ positive) | match | negative;
        uint64_t up = negative | ~(zero | positive);
        uint64_t down = positive & zero;
        distance += (up & last) != 0;
        distance -= (down & last) != 0;
        up = (up << 1) | 1;
        down <<= 1;
        positive = down | ~(zero | up);
        negative = up & zero;
    }
    return distance;
}

/* How alike each query spelling is with each chosen name's spelling, taken from ``spellings`` by the
 * name ids: 1 - edit distance / the longer length, then (value - floor) / (1 - floor) clipped to [0, 1]
 * and times ``share``. Strings longer than ``longest`` score 0. Returns bytes of doubles, query-major. */
static PyObject *joined_scores(PyObject *self, PyObject *args) {
    PyObject *queries, *spellings, *ids_object;
    double floor, share;
    Py_ssize_t longest;
    if (!PyArg_ParseTuple(args, "O!O!Oddn", &PyList_Type, &queries, &PyList_Type, &spellings, &ids_object, &floor,
                          &share, &longest))
        return NULL;
    Held held[1] = {{0}};
    if (take(ids_object, &held[0], 'q', 0, "name_ids") < 0) {
        release(held, 1);
        return NULL;
    }
    Py_ssize_t query_count = PyList_GET_SIZE(queries), count = items(&held[0]);
    int64_t *ids = LONGS(held[0]);
    int failed = floor >= 1.0 || longest < 1 ? bad("floor must be below 1 and longest positive") : 0;
    for (Py_ssize_t n = 0; !failed && n < count; n++)
        if (ids[n] < 0 || ids[n] >= PyList_GET_SIZE(spellings)) failed = bad("a name id out of range");
    for (Py_ssize_t n = 0; !failed && n < count; n++)
        if (!PyUnicode_Check(PyList_GET_ITEM(spellings, ids[n]))) failed = bad("spellings must be strings");
    for (Py_ssize_t q = 0; !failed && q < query_count; q++)
        if (!PyUnicode_Check(PyList_GET_ITEM(queries, q))) failed = bad("queries must be strings");
    Py_ssize_t *row = failed ? NULL : PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(longest + 1));
    Py_UCS4 *letters = failed ? NULL : PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(2 * longest));
    PyObject *result = NULL;
    if (!failed && (row == NULL || letters == NULL)) PyErr_NoMemory();
    else if (!failed) result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(double) * query_count * count);
    if (result != NULL) {
        double *out = (double *)PyBytes_AS_STRING(result);
        Py_UCS4 *query_letters = letters, *name_letters = letters + longest;
        Pattern pattern;
        for (Py_ssize_t q = 0; q < query_count; q++) {
            PyObject *query = PyList_GET_ITEM(queries, q);
            Py_ssize_t a = PyUnicode_GET_LENGTH(query);
            if (a <= longest && a > 0 && PyUnicode_AsUCS4(query, query_letters, longest, 0) == NULL) {
                Py_CLEAR(result);
                break;
            }
            int bits = a > 0 && a <= PATTERN_LONGEST;
            if (bits) pattern_of(query_letters, a, &pattern);
            for (Py_ssize_t n = 0; n < count; n++) {
                PyObject *name = PyList_GET_ITEM(spellings, ids[n]);
                Py_ssize_t b = PyUnicode_GET_LENGTH(name);
                Py_ssize_t wider = a > b ? a : b;
                /* more edits than this leave the similarity at or below the floor, where it counts nothing */
                Py_ssize_t bound = (Py_ssize_t)((1.0 - floor) * (double)wider) + 1;
                double value = 0.0;
                if (wider == 0) value = 1.0;
                else if (a <= longest && b <= longest && (a > b ? a - b : b - a) <= bound) {
                    if (b > 0 && PyUnicode_AsUCS4(name, name_letters, longest, 0) == NULL) {
                        Py_CLEAR(result);
                        break;
                    }
                    Py_ssize_t distance = bits ? pattern_distance(&pattern, name_letters, b)
                                               : bounded_distance(query_letters, a, name_letters, b, bound, row);
                    if (distance <= bound) value = 1.0 - (double)distance / (double)wider;
                }
                value = (value - floor) / (1.0 - floor);
                out[q * count + n] = (value < 0.0 ? 0.0 : value > 1.0 ? 1.0 : value) * share;
            }
            if (result == NULL) break;
        }
    }
    PyMem_Free(letters);
    PyMem_Free(row);
    release(held, 1);
    return result;
}

#define SLOT 4
#define BUCKETS 28

/* Which bucket of a reading table holds the segments starting with ``first``: 1 to 26 for a to z, 27 for
 * any other byte (bucket 0 holds the empty segment). */
static int bucket_of(char first) { return first >= 'a' && first <= 'z' ? first - 'a' + 1 : BUCKETS - 1; }

/* The log-probability of the likeliest reading of a word's letters as each Latin spelling in ``latins``:
 * letter k of the word stands for one Latin segment of 0 to ``max_segment`` (at most SLOT) letters, worth
 * the log-probability its reading table gives that segment or ``unseen`` per Latin letter (one for an empty
 * segment), whichever is higher. The tables' entries lie letter by letter, and within a
 * letter by bucket (``bucket_of``): entries ``bucket_starts[k * BUCKETS + b]`` up to the next start, each a
 * segment of ``lengths[e]`` letters in slot e of ``segments`` (SLOT bytes each) worth ``logps[e]``.
 * Returns bytes of doubles, -inf where no reading spans the whole spelling or it is not ASCII. */
static PyObject *channel_logps(PyObject *self, PyObject *args) {
    PyObject *segments_object, *latins;
    PyObject *buffers[3];
    double unseen;
    Py_ssize_t max_segment;
    if (!PyArg_ParseTuple(args, "SOOOO!dn", &segments_object, &buffers[0], &buffers[1], &buffers[2], &PyList_Type,
                          &latins, &unseen, &max_segment))
        return NULL;
    static const char *names[] = {"lengths", "logps", "bucket_starts"};
    static const char kinds[] = {'i', 'd', 'i'};
    Held held[3] = {{0}};
    for (int k = 0; k < 3; k++)
        if (take(buffers[k], &held[k], kinds[k], 0, names[k]) < 0) {
            release(held, 3);
            return NULL;
        }
    const char *segments = PyBytes_AS_STRING(segments_object);
    Py_ssize_t entries = items(&held[0]), bounds = items(&held[2]), count = PyList_GET_SIZE(latins);
    Py_ssize_t letters = (bounds - 1) / BUCKETS;
    int32_t *lengths = INTS(held[0]), *starts = INTS(held[2]);
    double *logps = DOUBLES(held[1]);
    int failed = items(&held[1]) != entries || PyBytes_GET_SIZE(segments_object) != SLOT * entries ||
                         bounds < 1 || (bounds - 1) % BUCKETS || max_segment < 0 || max_segment > SLOT
                     ? bad("segments, lengths, logps and bucket starts must agree")
                     : 0;
    for (Py_ssize_t b = 0; !failed && b + 1 < bounds; b++)
        if (starts[b] < 0 || starts[b] > starts[b + 1] || starts[b + 1] > entries) failed = bad("bad bucket starts");
    for (Py_ssize_t e = 0; !failed && e < entries; e++)
        if (lengths[e] < 0 || lengths[e] > max_segment) failed = bad("a segment longer than max_segment");
    Py_ssize_t longest = 0;
    for (Py_ssize_t n = 0; !failed && n < count; n++) {
        PyObject *latin = PyList_GET_ITEM(latins, n);
        if (!PyUnicode_Check(latin)) failed = bad("latins must be strings");
        else if (PyUnicode_GET_LENGTH(latin) > longest) longest = PyUnicode_GET_LENGTH(latin);
    }
    double *rows = failed ? NULL : PyMem_Malloc(sizeof(double) * 2 * (size_t)(longest + 1));
    PyObject *result = NULL;
    if (!failed && rows == NULL) PyErr_NoMemory();
    if (rows != NULL) result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(double) * count);
    for (Py_ssize_t n = 0; result != NULL && n < count; n++) {
        double *out = (double *)PyBytes_AS_STRING(result) + n;
        Py_ssize_t size;
        const char *text = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(latins, n), &size);
        if (text == NULL) {
            Py_CLEAR(result);
            break;
        }
        if (size != PyUnicode_GET_LENGTH(PyList_GET_ITEM(latins, n))) {  /* not ASCII, so not an a-z spelling */
            *out = -Py_HUGE_VAL;
            continue;
        }
        double *best = rows, *after = rows + size + 1;
        best[0] = 0.0;
        for (Py_ssize_t j = 1; j <= size; j++) best[j] = -Py_HUGE_VAL;
        for (Py_ssize_t k = 0; k < letters; k++) {
            const int32_t *bucket = starts + k * BUCKETS;
            for (Py_ssize_t j = 0; j <= size; j++) after[j] = -Py_HUGE_VAL;
            for (Py_ssize_t start = 0; start <= size; start++) {
                double here = best[start];
                if (here == -Py_HUGE_VAL) continue;
                double step[SLOT + 1];
                Py_ssize_t reach = size - start < max_segment ? size - start : max_segment;
                for (Py_ssize_t length = 0; length <= reach; length++) step[length] = unseen * (length ? length : 1);
                for (int32_t e = bucket[0]; e < bucket[1]; e++)
                    if (logps[e] > step[0]) step[0] = logps[e];
                if (reach > 0) {
                    int b = bucket_of(text[start]);
                    for (int32_t e = bucket[b]; e < bucket[b + 1]; e++)
                        if (lengths[e] <= reach && logps[e] > step[lengths[e]] &&
                            memcmp(segments + SLOT * e, text + start, (size_t)lengths[e]) == 0)
                            step[lengths[e]] = logps[e];
                }
                for (Py_ssize_t length = 0; length <= reach; length++)
                    if (here + step[length] > after[start + length]) after[start + length] = here + step[length];
            }
            double *swap = best;
            best = after;
            after = swap;
        }
        *out = best[size];
    }
    PyMem_Free(rows);
    release(held, 3);
    return result;
}

/* The entries a search goes on to finish. Each candidate name's entry (``name_entry[name_ids[p]]``) keeps its
 * best-scoring name (the first on ties); each distinct visibility tag among the entries (``entries[slot].tag``)
 * is judged once by ``allowed``. An allowed entry goes on if its score plus ``rise`` reaches ``cut``: the
 * ``limit``-th best of the allowed entries' scores plus ``fall`` (the most the query's details could move them
 * up and down), or ``threshold`` if higher, less a thousandth; a hidden entry goes on if its score plus
 * ``rise`` reaches the threshold less a thousandth. Returns [(score, slot, position, allowed)] in the order
 * the entries were first met. An entry removed meanwhile (its slot None: ``allowed`` runs Python, so another
 * thread may remove it) is passed over. */
static PyObject *best_entries(PyObject *self, PyObject *args) {
    PyObject *ids_object, *scores_object, *entry_object, *entries, *allowed;
    double rise, fall, threshold;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "OOOO!Odddn", &ids_object, &scores_object, &entry_object, &PyList_Type, &entries,
                          &allowed, &rise, &fall, &threshold, &limit))
        return NULL;
    Held held[3] = {{0}};
    if (take(ids_object, &held[0], 'q', 0, "name_ids") < 0 || take(scores_object, &held[1], 'd', 0, "scores") < 0 ||
        take(entry_object, &held[2], 'i', 0, "name_entry") < 0) {
        release(held, 3);
        return NULL;
    }
    Py_ssize_t count = items(&held[0]), names = items(&held[2]), slots = PyList_GET_SIZE(entries);
    int64_t *ids = LONGS(held[0]);
    double *scores = DOUBLES(held[1]);
    int32_t *name_entry = INTS(held[2]);
    if (items(&held[1]) != count || limit < 1) {
        release(held, 3);
        bad("one score per name id and a positive limit are needed");
        return NULL;
    }
    /* Each position's entry slot, read before ``allowed`` runs: it is Python and may let another thread add
     * names, which an export of ``name_entry`` held across the call would make fail. */
    int32_t *slot_at = PyMem_Malloc(sizeof(int32_t) * (size_t)(count + 1));
    for (Py_ssize_t p = 0; slot_at != NULL && p < count; p++) {
        if (ids[p] < 0 || ids[p] >= names || name_entry[ids[p]] < 0 || name_entry[ids[p]] >= slots) {
            PyMem_Free(slot_at);
            release(held, 3);
            bad("a name id or its entry out of range");
            return NULL;
        }
        slot_at[p] = name_entry[ids[p]];
    }
    release(&held[2], 1);
    /* per distinct entry: its slot, its best position, whether its tag is allowed (-1: removed meanwhile) */
    int32_t *slot_of = PyMem_Malloc(sizeof(int32_t) * (size_t)(count + 1));
    Py_ssize_t *best = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(count + 1));
    signed char *open = PyMem_Malloc((size_t)count + 1);
    double *floors = PyMem_Malloc(sizeof(double) * (size_t)(count + 1));
    PyObject *verdicts = PyDict_New(), *result = NULL;
    Py_ssize_t distinct = 0;
    int failed = slot_at == NULL || slot_of == NULL || best == NULL || open == NULL || floors == NULL ||
                 verdicts == NULL;
    if (failed && !PyErr_Occurred()) PyErr_NoMemory();
    for (Py_ssize_t p = 0; p < count && !failed; p++) {
        int32_t slot = slot_at[p];
        Py_ssize_t known = 0;
        while (known < distinct && slot_of[known] != slot) known++;
        if (known < distinct) {
            if (scores[p] > scores[best[known]]) best[known] = p;
            continue;
        }
        slot_of[distinct] = slot;
        best[distinct] = p;
        /* entries only grow; a slot is None once its entry is removed, here perhaps by another thread */
        PyObject *entry = slot < PyList_GET_SIZE(entries) ? PyList_GET_ITEM(entries, slot) : Py_None;
        if (entry == Py_None) {
            open[distinct++] = -1;
            continue;
        }
        PyObject *tag = PyObject_GetAttr(entry, tag_name);
        if (tag == NULL) {
            failed = 1;
            break;
        }
        PyObject *verdict = PyDict_GetItemWithError(verdicts, tag);
        int allowed_here = -1;
        if (verdict != NULL) {
            allowed_here = verdict == Py_True;
        } else if (!PyErr_Occurred()) {
            PyObject *answer = PyObject_CallOneArg(allowed, tag);
            allowed_here = answer == NULL ? -1 : PyObject_IsTrue(answer);
            Py_XDECREF(answer);
            if (allowed_here >= 0 && PyDict_SetItem(verdicts, tag, allowed_here ? Py_True : Py_False) < 0)
                allowed_here = -1;
        }
        Py_DECREF(tag);
        if (allowed_here < 0) {
            failed = 1;
            break;
        }
        open[distinct++] = (signed char)allowed_here;
    }
    if (!failed) {
        Py_ssize_t open_count = 0;
        for (Py_ssize_t k = 0; k < distinct; k++)
            if (open[k] == 1) floors[open_count++] = scores[best[k]] + fall;
        double cut = threshold;
        if (open_count >= limit) {
            /* the limit-th largest floor: a partial selection sort, limit is small */
            for (Py_ssize_t k = 0; k < limit; k++) {
                Py_ssize_t top = k;
                for (Py_ssize_t m = k + 1; m < open_count; m++)
                    if (floors[m] > floors[top]) top = m;
                double swap = floors[k];
                floors[k] = floors[top];
                floors[top] = swap;
            }
            if (floors[limit - 1] > cut) cut = floors[limit - 1];
        }
        cut -= 1e-3;
        result = PyList_New(0);
        for (Py_ssize_t k = 0; k < distinct && result != NULL; k++) {
            double score = scores[best[k]];
            if (open[k] < 0 || score + rise < (open[k] ? cut : threshold - 1e-3)) continue;
            PyObject *item =
                Py_BuildValue("(dnnO)", score, (Py_ssize_t)slot_of[k], best[k], open[k] ? Py_True : Py_False);
            if (item == NULL || PyList_Append(result, item) < 0) Py_CLEAR(result);
            Py_XDECREF(item);
        }
    }
    PyMem_Free(slot_at);
    PyMem_Free(slot_of);
    PyMem_Free(best);
    PyMem_Free(open);
    PyMem_Free(floors);
    Py_XDECREF(verdicts);
    release(held, 3);
    return result;
}

/* ``[values[k] for k in ids]``: the spellings of a shortlist of names, a few hundred a query. */
static PyObject *pick(PyObject *self, PyObject *args) {
    PyObject *values, *ids_object;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &values, &ids_object)) return NULL;
    Held held = {0};
    if (take(ids_object, &held, 'q', 0, "ids") < 0) {
        release(&held, 1);
        return NULL;
    }
    Py_ssize_t count = items(&held), size = PyList_GET_SIZE(values);
    int64_t *ids = LONGS(held);
    PyObject *out = PyList_New(count);
    for (Py_ssize_t k = 0; k < count && out != NULL; k++) {
        if (ids[k] < 0 || ids[k] >= size) {
            Py_CLEAR(out);
            bad("an id out of range");
            break;
        }
        PyList_SET_ITEM(out, k, Py_NewRef(PyList_GET_ITEM(values, ids[k])));
    }
    release(&held, 1);
    return out;
}

/* The explanation of one aligned name's part pairs: for each (query part i, name part j, similarity) of
 * ``pairs``, {"query": query_parts[i].text, "matched": parts[name_parts[start + j]].text, "similarity":
 * the similarity to a thousandth}, rounded as index._score rounds a score to four places. */
static PyObject *explain_pairs(PyObject *self, PyObject *args) {
    PyObject *pairs, *query_parts, *parts, *name_parts_object;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "O!O!O!On", &PyTuple_Type, &pairs, &PyTuple_Type, &query_parts, &PyList_Type,
                          &parts, &name_parts_object, &start))
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(pairs);
    Py_ssize_t *query_of = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * count + 1)), *part_of = query_of + count;
    double *similarity_of = PyMem_Malloc(sizeof(double) * (size_t)(count + 1));
    if (query_of == NULL || similarity_of == NULL) {
        PyMem_Free(query_of);
        PyMem_Free(similarity_of);
        return PyErr_NoMemory();
    }
    /* the pairs' part numbers are read and the index's array released before any dict is made (HOLDING) */
    Held held = {0};
    int failed = take(name_parts_object, &held, 'i', 0, "name_parts") < 0;
    for (Py_ssize_t k = 0; k < count && !failed; k++) {
        PyObject *pair = PyTuple_GET_ITEM(pairs, k);
        Py_ssize_t i = -1, j = -1;
        if (PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 3) {
            i = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
            j = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
            similarity_of[k] = PyFloat_AsDouble(PyTuple_GET_ITEM(pair, 2));
        }
        if (PyErr_Occurred()) {
            failed = 1;
            break;
        }
        int32_t *name_parts = INTS(held);
        if (i < 0 || i >= PyTuple_GET_SIZE(query_parts) || j < 0 || start < 0 || start + j >= items(&held) ||
            name_parts[start + j] < 0 || name_parts[start + j] >= PyList_GET_SIZE(parts)) {
            failed = bad("a part pair out of range");
            break;
        }
        query_of[k] = i;
        part_of[k] = name_parts[start + j];
    }
    release(&held, 1);
    PyObject *out = failed ? NULL : PyList_New(count);
    for (Py_ssize_t k = 0; k < count && out != NULL; k++) {
        PyObject *query_text = PyObject_GetAttr(PyTuple_GET_ITEM(query_parts, query_of[k]), text_name);
        PyObject *matched_text =
            query_text == NULL ? NULL : PyObject_GetAttr(PyList_GET_ITEM(parts, part_of[k]), text_name);
        PyObject *rounded = matched_text == NULL ? NULL
            : PyFloat_FromDouble((double)(long long)(similarity_of[k] * 1000.0 + 0.5) / 1000.0);
        PyObject *item = rounded == NULL ? NULL : PyDict_New();
        if (item != NULL && (PyDict_SetItem(item, query_name, query_text) < 0 ||
                             PyDict_SetItem(item, matched_name, matched_text) < 0 ||
                             PyDict_SetItem(item, similarity_name, rounded) < 0))
            Py_CLEAR(item);
        Py_XDECREF(query_text);
        Py_XDECREF(matched_text);
        Py_XDECREF(rounded);
        if (item == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, k, item);
    }
    PyMem_Free(query_of);
    PyMem_Free(similarity_of);
    return out;
}

/* The names of ``ids`` whose entry (``entries[name_entry[id]]``) is still indexed (not None) and, when
 * ``schema`` is not None, has that schema: bytes of int64 name ids, in the order given. */
static PyObject *live_names(PyObject *self, PyObject *args) {
    PyObject *ids_object, *entry_object, *entries, *schema;
    if (!PyArg_ParseTuple(args, "OOO!O", &ids_object, &entry_object, &PyList_Type, &entries, &schema)) return NULL;
    Held held[2] = {{0}};
    if (take(ids_object, &held[0], 'q', 0, "ids") < 0 || take(entry_object, &held[1], 'i', 0, "name_entry") < 0) {
        release(held, 2);
        return NULL;
    }
    Py_ssize_t count = items(&held[0]), names = items(&held[1]), slots = PyList_GET_SIZE(entries), kept = 0;
    int64_t *ids = LONGS(held[0]);
    int32_t *name_entry = INTS(held[1]);
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * count);
    int64_t *out = result == NULL ? NULL : (int64_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t k = 0; k < count && result != NULL; k++) {
        if (ids[k] < 0 || ids[k] >= names || name_entry[ids[k]] < 0 || name_entry[ids[k]] >= slots) {
            Py_CLEAR(result);
            bad("a name id or its entry out of range");
            break;
        }
        PyObject *entry = PyList_GET_ITEM(entries, name_entry[ids[k]]);
        if (entry == Py_None) continue;
        if (schema != Py_None) {
            PyObject *own = PyObject_GetAttr(entry, schema_name);
            int same = own == NULL ? -1 : PyObject_RichCompareBool(own, schema, Py_EQ);
            Py_XDECREF(own);
            if (same < 0) {
                Py_CLEAR(result);
                break;
            }
            if (!same) continue;
        }
        out[kept++] = ids[k];
    }
    release(held, 2);
    if (result != NULL && kept < count) _PyBytes_Resize(&result, (Py_ssize_t)sizeof(int64_t) * kept);
    return result;
}

/* A shortlist: the first ``keep`` of ``ranked``, then of the rest those most alike in spelling, up to ``size``
 * in all. ``alike`` holds a 0-100 likeness per (query spelling, name of the rest), row-major; a name counts
 * by its best row, and equal ones keep their order in ``ranked``. Returns bytes of int64 name ids. */
static PyObject *most_alike(PyObject *self, PyObject *args) {
    PyObject *alike_object, *ranked_object;
    Py_ssize_t rows, keep, size;
    if (!PyArg_ParseTuple(args, "OnOnn", &alike_object, &rows, &ranked_object, &keep, &size)) return NULL;
    Held held[2] = {{0}};
    if (take(alike_object, &held[0], 'B', 0, "alike") < 0 || take(ranked_object, &held[1], 'q', 0, "ranked") < 0) {
        release(held, 2);
        return NULL;
    }
    Py_ssize_t count = items(&held[1]), rest = count > keep ? count - keep : 0;
    if (rows < 1 || keep < 0 || size < keep || items(&held[0]) != rows * rest) {
        release(held, 2);
        bad("alike must hold a row per query spelling and a column per name after the kept ones");
        return NULL;
    }
    const uint8_t *alike = (const uint8_t *)held[0].view.buf;
    const int64_t *ranked = LONGS(held[1]);
    Py_ssize_t chosen = keep + (rest < size - keep ? rest : size - keep);
    if (count < keep) chosen = count;
    uint8_t *best = PyMem_Malloc((size_t)rest + 1);
    PyObject *result = best == NULL ? NULL : PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(int64_t) * chosen);
    if (result != NULL) {
        int64_t *out = (int64_t *)PyBytes_AS_STRING(result);
        Py_ssize_t at = 0;
        for (; at < keep && at < count; at++) out[at] = ranked[at];
        Py_ssize_t tally[102] = {0};
        for (Py_ssize_t n = 0; n < rest; n++) {
            uint8_t value = alike[n];
            for (Py_ssize_t q = 1; q < rows; q++)
                if (alike[q * rest + n] > value) value = alike[q * rest + n];
            best[n] = value > 100 ? 100 : value;
            tally[best[n]]++;
        }
        /* where each likeness starts in the output, most alike first: a counting sort, stable */
        Py_ssize_t starts[101], running = 0;
        for (int value = 100; value >= 0; value--) {
            starts[value] = running;
            running += tally[value];
        }
        for (Py_ssize_t n = 0; n < rest; n++) {
            Py_ssize_t place = starts[best[n]]++;
            if (place < chosen - keep) out[keep + place] = ranked[keep + n];
        }
    } else if (best == NULL) {
        PyErr_NoMemory();
    }
    PyMem_Free(best);
    release(held, 2);
    return result;
}

static PyMethodDef methods[] = {
    {"channel_logps", channel_logps, METH_VARARGS, "Likeliest readings of a word's letters as Latin spellings."},
    {"joined_scores", joined_scores, METH_VARARGS, "Whole-name spellings compared, letters run together."},
    {"rank_postings", rank_postings, METH_VARARGS, "Names ranked by the weights of the postings they share."},
    {"gather", gather, METH_VARARGS, "The distinct parts of a batch of names, numbered as columns."},
    {"part_matrix", part_matrix, METH_VARARGS,
     "Similarity of each query part with each candidate part: best key similarity, skeleton and shape terms."},
    {"align", align, METH_VARARGS, "Greedy alignment of one query name with many candidate names."},
    {"pick", pick, METH_VARARGS, "The items of a list at the given positions."},
    {"most_alike", most_alike, METH_VARARGS, "A shortlist: the first names by keys, then the most alike in spelling."},
    {"live_names", live_names, METH_VARARGS, "The names whose entries are indexed, of a schema if given."},
    {"explain_pairs", explain_pairs, METH_VARARGS, "The part pairs of an aligned name, as an explanation."},
    {"best_entries", best_entries, METH_VARARGS, "The entries a search goes on to finish, with their best names."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_align", "Compiled name alignment.", -1, methods};

PyMODINIT_FUNC PyInit__align(void) {
    tag_name = PyUnicode_InternFromString("tag");
    schema_name = PyUnicode_InternFromString("schema");
    keys_name = PyUnicode_InternFromString("keys");
    skeletons_name = PyUnicode_InternFromString("skeletons");
    shapes_name = PyUnicode_InternFromString("shapes");
    text_name = PyUnicode_InternFromString("text");
    query_name = PyUnicode_InternFromString("query");
    matched_name = PyUnicode_InternFromString("matched");
    similarity_name = PyUnicode_InternFromString("similarity");
    if (tag_name == NULL || schema_name == NULL || keys_name == NULL || skeletons_name == NULL || shapes_name == NULL || text_name == NULL ||
        query_name == NULL || matched_name == NULL || similarity_name == NULL)
        return NULL;
    return PyModule_Create(&module);
}
