"""Build of ictdb's one compiled module (name alignment); everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ictdb.matching._align",
            ["src/ictdb/matching/_align.c"],
            extra_compile_args=["-O2", "-std=c11"],
            libraries=["m"],
        )
    ]
)
