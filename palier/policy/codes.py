"""The policy's codes. Their values are part of the public API: never rename one."""

from enum import StrEnum


class RequestType(StrEnum):
    USAGE = "usage"
    MALFUNCTION = "malfunction"
    FEATURE = "feature"
    TRAINING = "training"


class BuiltBy(StrEnum):
    VENDOR = "vendor"
    CUSTOMER_AUTHORIZED = "customer_authorized"
    CUSTOMER_UNAUTHORIZED = "customer_unauthorized"


class ContractState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Refusal(StrEnum):
    NO_CONTRACT = "no_contract"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    NOT_STARTED = "not_started"


class Reason(StrEnum):
    STANDARD_USAGE = "standard_usage"
    USAGE_OF_VENDOR_CUSTOMIZATION = "usage_of_vendor_customization"
    CUSTOMER_BUILT_CUSTOMIZATION = "customer_built_customization"
    STANDARD_MALFUNCTION = "standard_malfunction"
    CUSTOMIZATION_ERROR = "customization_error"
    UNAUTHORIZED_MODIFICATION = "unauthorized_modification"
    FEATURE_REQUEST = "feature_request"
    INFORMATION_OR_TRAINING = "information_or_training"
    CUSTOMER_MANIPULATION = "customer_manipulation"
    PRODUCT_DEFECT = "product_defect"


class Finding(StrEnum):
    CUSTOMER_MANIPULATION = "customer_manipulation"
    CUSTOMIZATION_ERROR = "customization_error"
    FEATURE_REQUEST = "feature_request"
    INFORMATION_OR_TRAINING = "information_or_training"
    PRODUCT_DEFECT = "product_defect"
    BACK_TO_LEVEL_1 = "back_to_level_1"
