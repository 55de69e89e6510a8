"""Secrets and personal data are masked at index time in everything stored, and never reach an export.

The end-to-end test copies examples/shop into a tmp dir and plants secrets in code, comments,
Javadoc and application.yml (the ones the issue found in exports and in the database), runs
`run` and `export --include-pending`, and searches every text column of every table and every
exported file for them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from core.cli import main
from core.masking import mask_text
from core.source import source_file
from core.validate.secrets import find_secrets

ROOT = Path(__file__).resolve().parent.parent
PHONES = ("138-1234-5678", "139 8765 4321", "+86 137 0000 1111")
ID_NUMBER = "110101 19900307 123X"
ANTHROPIC = "sk-ant-api03-Zx9LmQ2wVb7Tn4Kp1Rs8Yd3Hf6Jg0Ac5Ue2Wi7Oq"
GITHUB = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"   # ghp_ + 36
STRIPE = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"
DB_PASSWORD = "Db!Pass2024x"
URL_PASSWORD = "Sh0pP4ss!"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY_BODY = "MIIEpAIBAAKCAQEA7v8Yq9vC4ghkQWERTYzxcvbnmASDFGHJKL"
SHOP_SECRETS = ("FAKE-db-Passw0rd-not-real", "fake-redis-secret-123", "fake-rabbit-pass",
                "fake-jwt-secret-do-not-use-0123456789abcdef", "FAKEaccessKeySecretXXXXXXXXXXXXXX")
SECRETS = (*PHONES, ID_NUMBER, ANTHROPIC, GITHUB, STRIPE, DB_PASSWORD, URL_PASSWORD, AWS_SECRET, KEY_BODY,
           *SHOP_SECRETS)
# the same values however a later step might rewrite them: digits without separators
DIGITS = ("13812345678", "13987654321", "13700001111", "11010119900307123X")


@pytest.mark.parametrize("line, path, secret", [
    ("// 客服电话 138-1234-5678", "A.java", "138-1234-5678"),
    ("// 客服电话 139 8765 4321", "A.java", "139 8765 4321"),
    ("// +86 137 0000 1111", "A.java", "137 0000 1111"),
    ("String mobile = \"13812345678\";", "A.java", "13812345678"),
    ("// 身份证 110101 19900307 123X", "A.java", "110101 19900307 123X"),
    ("// 身份证 11010119900307123X", "A.java", "11010119900307123X"),
    (f"String k = \"{ANTHROPIC}\";", "A.java", ANTHROPIC),
    (f"// token {GITHUB}", "A.java", GITHUB),
    (f"private static final String KEY = \"{STRIPE}\";", "A.java", STRIPE),
    (f"// 数据库密码：{DB_PASSWORD}", "A.java", DB_PASSWORD),
    (f"// 数据库密码是 {DB_PASSWORD}", "A.java", DB_PASSWORD),
    (f"// password: {DB_PASSWORD}", "A.java", DB_PASSWORD),
    (f"String url = \"mysql://shop:{URL_PASSWORD}@db.example.com:3306/shop\";", "A.java", URL_PASSWORD),
    (f"  aws-secret-access-key: {AWS_SECRET}", "application.yml", AWS_SECRET),
    ("spring.datasource.password=Hunter2Secret!", "application.properties", "Hunter2Secret!"),
    ("    password: root", "application-dev.yml", "root"),
    (" * @author someone@example.com", "A.java", "someone@example.com"),
    ("String jwt = \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\";",
     "A.java", "eyJhbGciOiJIUzI1NiJ9"),
])
def test_a_secret_is_masked_in_its_line(line: str, path: str, secret: str) -> None:
    masked = mask_text(line, path)
    assert secret not in masked
    assert len(masked) == len(line) and "*" in masked
    assert find_secrets(line, path.endswith((".yml", ".properties"))), "the export gate must see it too"


@pytest.mark.parametrize("line, path", [
    ("throw new BadCredentialsException(\"密码不正确\");", "A.java"),
    ("//密码需要客户端加密后传递", "A.java"),
    ("addCriterion(\"password is not null\");", "A.java"),
    ("String password = encoder.encode(param.getPassword());", "A.java"),
    ("String tokenHeader = \"Authorization\";", "A.java"),
    ("long createdAt = 1700000000000L;", "A.java"),
    ("    password: ${DB_PASSWORD}", "application.yml"),
    ("  tokenHeader: Authorization", "application.yml"),
    ("    url: jdbc:mysql://localhost:3306/shop?useUnicode=true", "application.yml"),
    ("if (order.getStatus() == 1 && count > 10) {", "A.java"),
])
def test_code_that_only_looks_like_a_secret_is_left_alone(line: str, path: str) -> None:
    assert mask_text(line, path) == line


def test_a_private_key_block_is_masked_whole_and_lines_are_kept() -> None:
    text = ("cert:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    " + KEY_BODY + "\n    abc/def+ghi==\n"
            "    -----END RSA PRIVATE KEY-----\nserver:\n  port: 8080\n")
    masked = mask_text(text, "application.yml")
    assert KEY_BODY not in masked and "abc/def" not in masked
    assert [len(x) for x in masked.splitlines()] == [len(x) for x in text.splitlines()]
    assert masked.endswith("server:\n  port: 8080\n")


def test_the_source_text_is_masked_but_the_hash_is_of_the_file() -> None:
    data = f"class A {{\n  // 客服 {PHONES[0]}\n}}\n".encode()
    source = source_file("A.java", data)
    assert PHONES[0] not in source.text and source.lines[1] == "  // 客服 *************"
    import hashlib
    assert source.sha256 == hashlib.sha256(data).hexdigest()


def _plant(repo: Path) -> None:
    comments = [f"// 客服电话 {PHONES[0]}，备用 {PHONES[1]}", f"// 身份证 {ID_NUMBER}，联系 {PHONES[2]}",
                f"// 数据库密码：{DB_PASSWORD}", f"// github {GITHUB}"]
    fields = (f'    private static final String CLAUDE_KEY = "{ANTHROPIC}";\n'
              f'    private static final String STRIPE_KEY = "{STRIPE}";\n'
              f'    /** 管理员 {PHONES[0]}，身份证 {ID_NUMBER} */\n'
              f'    private static final String DB_URL = "mysql://shop:{URL_PASSWORD}@db.example.com:3306/shop";\n')
    for path in sorted(repo.rglob("*ServiceImpl.java")):
        out, n = [], 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*if \(", line):
                out.append(re.match(r"\s*", line)[0] + comments[n % len(comments)])
                n += 1
            out.append(line)
            if re.match(r"public class \w+", line) and line.rstrip().endswith("{"):
                out.append(fields.rstrip("\n"))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    for yml in repo.rglob("application.yml"):
        yml.write_text(yml.read_text(encoding="utf-8") + (
            f"aws:\n  aws-secret-access-key: {AWS_SECRET}\n"
            f"support:\n  phone: {PHONES[1]}\n  note: 数据库密码：{DB_PASSWORD}\n"
            f"cert:\n  private-key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    {KEY_BODY}\n"
            "    -----END RSA PRIVATE KEY-----\n"), encoding="utf-8")


def test_no_secret_reaches_the_database_or_the_export(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", repo)
    _plant(repo)
    db = tmp_path / "s.duckdb"
    out = tmp_path / "export"
    common = ["--repo", str(repo), "--db", str(db), "--domains", "order,stock"]
    assert main(["run", *common, "--lang", "both"]) == 0
    assert main(["export", *common, "--out", str(out), "--include-pending"]) == 0

    exported = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    assert exported["train.jsonl"].strip(), "nothing was exported: the test would prove nothing"
    con = duckdb.connect(str(db), read_only=True)
    columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = 'main'").fetchall()
    cited = con.execute("SELECT count(*) FROM samples WHERE strpos(CAST(payload AS VARCHAR), ?) > 0",
                        ["客服电话 *************"]).fetchone()[0]
    leaks = []
    for secret in (*SECRETS, *DIGITS):
        leaks += [f"export {name}: {secret}" for name, text in exported.items() if secret in text]
        for table, column in columns:
            hits = con.execute(f'SELECT count(*) FROM "{table}" WHERE strpos(CAST("{column}" AS VARCHAR), ?) > 0',
                               [secret]).fetchone()[0]
            if hits:
                leaks.append(f"{table}.{column}: {secret} ({hits} rows)")
    con.close()
    assert leaks == []
    assert cited > 0, "no sample cites the planted lines: masking was not exercised"
