#!/usr/bin/env python3
"""Decrypt a Kinship backup file with PyNaCl only, following docs/FORMAT.md section 5.

Usage:
    KINSHIP_BACKUP_PASSPHRASE='...' decrypt_backup.py FILE

Writes the decrypted JSON document to standard output: its exact bytes, then one newline.
Nothing is written to standard output unless the whole file authenticates and the document is
a Kinship backup.

Exit status:
    0  decrypted
    1  not a backup, unsupported version or parameters, truncated, tampered or malformed
       (one line on standard error says which)
    2  usage error (no FILE, unreadable FILE, passphrase variable missing or not UTF-8)
    3  wrong passphrase (or a damaged header, which cannot be told apart from one)

The passphrase is taken from the environment rather than the command line so that it does not
show up in the process list or the shell history. It is normalised to Unicode NFC and encoded as
UTF-8, exactly as Kinship does; it is not trimmed.

libsodium's Argon2id always uses one lane, so files whose parallelism is not 1 are refused with
a clear message; Kinship writes parallelism 1 unless told otherwise.
"""

import json
import os
import sys
import unicodedata

try:
    import nacl.bindings
    import nacl.exceptions
    import nacl.pwhash.argon2id
except ImportError:
    sys.stderr.write("decrypt_backup: PyNaCl is required (pip install pynacl)\n")
    sys.exit(2)

PASSPHRASE_VARIABLE = "KINSHIP_BACKUP_PASSPHRASE"

MAGIC = b"KINSHIPB"
VERSION = 1
KEY_LEN = 32
SALT_LEN = 16
NONCE_LEN = 24
TAG_LEN = 16
CHECK_AD_END = 61  # magic, version, m_kib, t, p, salt, check_nonce
HEADER_LEN = 77  # ... and check_tag
BODY_START = 109  # ... and body_len, body_nonce
MAX_BACKUP_BYTES = 1 << 30

MIN_MEMORY_KIB, MAX_MEMORY_KIB = 19 * 1024, 1024 * 1024
MIN_ITERATIONS, MAX_ITERATIONS = 2, 64
MIN_PARALLELISM, MAX_PARALLELISM = 1, 16

EXIT_OK, EXIT_BAD_FILE, EXIT_USAGE, EXIT_WRONG_PASSPHRASE = 0, 1, 2, 3


class Failure(Exception):
    """A reason to stop, with the exit status and the one-line message to print."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_file(message):
    return Failure(EXIT_BAD_FILE, message)


def u32le(data, at):
    return int.from_bytes(data[at:at + 4], "little")


def u64le(data, at):
    return int.from_bytes(data[at:at + 8], "little")


def aead_decrypt(key, nonce, ciphertext, ad):
    """XChaCha20-Poly1305 (IETF) decryption; None when the tag does not verify."""
    try:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key)
    except nacl.exceptions.CryptoError:
        return None


def derive_key(password, salt, m_kib, t):
    """Argon2id v0x13, one lane, 32-byte output, no secret and no associated data."""
    try:
        return nacl.pwhash.argon2id.kdf(KEY_LEN, password, salt, opslimit=t, memlimit=m_kib * 1024)
    except (MemoryError, nacl.exceptions.CryptoError, nacl.exceptions.RuntimeError) as err:
        raise bad_file(f"key derivation failed ({type(err).__name__}); is there {m_kib} KiB of memory?")


def decrypt(data, password):
    """Returns the plaintext document of a backup file, or raises Failure (FORMAT.md 5.2)."""
    if len(data) < len(MAGIC) or data[:len(MAGIC)] != MAGIC:
        raise bad_file("not a Kinship backup file")
    if len(data) <= len(MAGIC):
        raise bad_file("the backup file is truncated")
    if data[8] != VERSION:
        raise bad_file(f"backup format version {data[8]} is not supported by this script")
    if len(data) < BODY_START:
        raise bad_file("the backup file is truncated")

    m_kib, t, p = u32le(data, 9), u32le(data, 13), u32le(data, 17)
    if not (
        MIN_MEMORY_KIB <= m_kib <= MAX_MEMORY_KIB
        and MIN_ITERATIONS <= t <= MAX_ITERATIONS
        and MIN_PARALLELISM <= p <= MAX_PARALLELISM
        and m_kib >= 8 * p
    ):
        raise bad_file(f"key derivation parameters out of range (m={m_kib} KiB, t={t}, p={p})")
    if p != 1:
        raise bad_file(
            f"this backup uses Argon2id parallelism p={p}; libsodium (PyNaCl) supports only p=1, "
            "so decrypt it with an Argon2 library that accepts lanes"
        )

    salt = data[21:21 + SALT_LEN]
    check_nonce = data[37:37 + NONCE_LEN]
    check_tag = data[CHECK_AD_END:HEADER_LEN]
    key = derive_key(password, salt, m_kib, t)
    if aead_decrypt(key, check_nonce, check_tag, data[:CHECK_AD_END]) != b"":
        raise Failure(EXIT_WRONG_PASSPHRASE, "wrong backup passphrase")

    body_len = u64le(data, HEADER_LEN)
    available = len(data) - BODY_START
    if available < body_len:
        raise bad_file("the backup file is truncated")
    if available > body_len or body_len < TAG_LEN:
        raise bad_file("the backup file has been altered or damaged")
    body_nonce = data[HEADER_LEN + 8:BODY_START]
    document = aead_decrypt(key, body_nonce, data[BODY_START:], data[:BODY_START])
    if document is None:
        raise bad_file("the backup file has been altered or damaged")
    return document


def check_document(document):
    """Refuses plaintext that is not a version 1 Kinship backup document (FORMAT.md 5.3)."""
    try:
        parsed = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        # The position only: the message of a JSON error can quote the content.
        line = getattr(err, "lineno", None)
        where = f" at line {line}" if line is not None else ""
        raise bad_file(f"the backup content is malformed: {type(err).__name__}{where}")
    if (
        not isinstance(parsed, dict)
        or parsed.get("format") != "kinship-backup"
        or parsed.get("version") != 1
        or not isinstance(parsed.get("journal"), list)
    ):
        raise bad_file("the backup content is malformed: unknown document format")


def read_password():
    if os.supports_bytes_environ:
        raw = os.environb.get(PASSPHRASE_VARIABLE.encode())
        try:
            text = None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure(EXIT_USAGE, f"{PASSPHRASE_VARIABLE} is not valid UTF-8")
    else:
        text = os.environ.get(PASSPHRASE_VARIABLE)
    if text is None:
        raise Failure(EXIT_USAGE, f"set the passphrase in the environment variable {PASSPHRASE_VARIABLE}")
    return unicodedata.normalize("NFC", text).encode("utf-8")


def run(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        raise Failure(EXIT_USAGE, f"usage: {PASSPHRASE_VARIABLE}=... decrypt_backup.py FILE")
    path = argv[1]
    password = read_password()
    try:
        if os.path.getsize(path) > MAX_BACKUP_BYTES:
            raise bad_file(f"the backup file is larger than the {MAX_BACKUP_BYTES} bytes accepted")
        with open(path, "rb") as file:
            data = file.read()
    except OSError as err:
        raise Failure(EXIT_USAGE, f"cannot read {path}: {err.strerror or type(err).__name__}")
    document = decrypt(data, password)
    check_document(document)
    sys.stdout.buffer.write(document + b"\n")
    sys.stdout.buffer.flush()


def main():
    try:
        run(sys.argv)
    except Failure as failure:
        sys.stderr.write(f"decrypt_backup: {failure.message}\n")
        return failure.status
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
