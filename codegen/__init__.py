"""The persona code generator: ``python -m codegen`` rewrites the generated files from the spec.

Not part of the wheel (``setup.py`` packages ``persona`` only). Development dependencies:
Jinja2 and PyYAML (test-requirements.txt).
"""
