from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ComplianceFramework(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPLIANCE_FRAMEWORK_UNSPECIFIED: _ClassVar[ComplianceFramework]
    COMPLIANCE_FRAMEWORK_GDPR: _ClassVar[ComplianceFramework]
    COMPLIANCE_FRAMEWORK_HIPAA: _ClassVar[ComplianceFramework]
    COMPLIANCE_FRAMEWORK_PCI_DSS: _ClassVar[ComplianceFramework]
    COMPLIANCE_FRAMEWORK_CCPA: _ClassVar[ComplianceFramework]
COMPLIANCE_FRAMEWORK_UNSPECIFIED: ComplianceFramework
COMPLIANCE_FRAMEWORK_GDPR: ComplianceFramework
COMPLIANCE_FRAMEWORK_HIPAA: ComplianceFramework
COMPLIANCE_FRAMEWORK_PCI_DSS: ComplianceFramework
COMPLIANCE_FRAMEWORK_CCPA: ComplianceFramework
