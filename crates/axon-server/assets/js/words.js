  // More strings (kept apart from i18n.js so pages can add words without touching one object):
  // the header, titles, enum labels, the page's own metric definitions (the API's `definition`
  // fields are English; these say the same in the reader's language), the activity form, the
  // filter editor and the demo shop's messages. `{name}` marks a value filled in by tf().
  Object.assign(T.ko, {
    logout: "로그아웃", loginTitle: "관리자 로그인", loginKey: "관리자 키", signIn: "로그인", badKey: "키가 올바르지 않습니다", activityTag: "활동", campaignTag: "캠페인", events: "이벤트 수", people: "사람 수", taken: "판매·예약",
    stepRates: "이전 단계 대비 {rate} · 첫 단계 대비 {first}", health: "상태", ltvDays: "LTV {d}일", ltvNow: "LTV (현재)", monthN: "{n}개월",
    steps: { VISIT: "방문", ENGAGE: "참여", QUALIFY: "승인", PURCHASE: "구매" },
    weekdays: { MON: "월", TUE: "화", WED: "수", THU: "목", FRI: "금", SAT: "토", SUN: "일" },
    healthLabels: { GOOD: "좋음", WARN: "주의", BAD: "위험" },
    types: { FIRST_COME_FIRST_SERVE: "선착순", COUPON: "쿠폰", GIVEAWAY: "경품 추첨" },
    statuses: { DRAFT: "준비 중", ACTIVE: "진행 중", PAUSED: "일시 중지", ENDED: "종료" },
    moves: { ACTIVE: "시작", RESUME: "재개", PAUSED: "일시 중지", ENDED: "종료" },
    entryStatuses: { APPROVED: "승인", PAID: "결제 완료", CANCELLED: "취소", REJECTED: "거절" },
    defs: {
      overview: "방문 = 이 범위에 귀속된 페이지 조회 이벤트 · 참여 = 클릭 이벤트 · 승인 = 기간 중 선착순 승인 · 구매 = 구매 이벤트 · 거래액 = 프로모션 구매의 가격 × 수량 합계 · ROAS = 거래액 ÷ 예산 × 100",
      funnel: "방문 = 페이지 조회, 참여 = 클릭, 승인 = 선착순 승인, 구매 = 구매 이벤트. 사람 수 = 서로 다른 사람(익명 방문자는 로그인한 사용자로 합침). 순서 퍼널 = 기간 안에 이 순서대로 단계를 밟은 사람.",
      cohort: "코호트 = 이 활동의 첫 프로모션 구매가 코호트 기간에 있는 고객. LTV는 첫 구매부터 그 고객의 모든 구매(유형 무관)를 고객당으로 셉니다. 30일째 구매는 LTV 30일에 들어갑니다. D일 창은 첫 구매 후 D + 1일이 지나면 완료되고, 그 전에는 지금까지의 값입니다."
    },
    newCampaign: "새 캠페인", newActivity: "새 활동", editing: "수정 중: {name}", campaignName: "캠페인 이름", activityName: "활동 이름",
    budgetWon: "예산(원)", priceWon: "판매가(원)", type: "유형", product: "상품", noProduct: "상품 없음", limit: "한정 수량", limitHint: "비우면 무제한",
    startDay: "시작일 ({tz})", endDay: "종료일 ({tz}, 당일 포함)", campaign: "캠페인", save: "저장", cancel: "취소", edit: "수정", actions: "작업",
    user: "사용자", order: "순번", qty: "수량", requested: "응모 시각", unlimited: "무제한",
    apiErrors: { VALIDATION_ERROR: "입력값을 확인해 주세요", INVALID_FILTER: "참여 조건이 올바르지 않습니다", INVALID_STATUS_TRANSITION: "이 상태로 바꿀 수 없습니다", UNKNOWN_PRODUCT: "없는 상품입니다", MALFORMED_JSON: "요청 형식이 올바르지 않습니다" },
    filters: "참여 조건", filtersNone: "조건 없음 · 누구나 참여할 수 있습니다", filterAdd: "+ 조건 추가", filterRemove: "조건 삭제", filterType: "조건 종류", filterOp: "비교",
    filterTypes: { GRADE: "등급", AGE: "나이", REGION: "지역", RECENT_PURCHASE: "최근 구매" },
    filterOps: { GTE: "이상", LTE: "이하", BETWEEN: "사이", NOT_GTE: "미만", NOT_LTE: "초과", NOT_BETWEEN: "사이 아님", IN: "다음 중 하나", NOT_IN: "다음 제외" },
    dateOps: { GTE: "이후", LTE: "이전", BETWEEN: "기간 안", NOT_BETWEEN: "기간 밖" },
    ageFrom: "나이", ageTo: "나이 (까지)", years: "세", whenFrom: "구매 일시", whenTo: "구매 일시 (까지)", regionList: "지역 (쉼표로 구분)", regionPh: "서울특별시, 부산광역시-해운대구",
    filterErr: "참여 조건 {n}: {what}", needGrade: "등급을 하나 이상 고르세요", needRegion: "지역을 하나 이상 적으세요", needAge: "나이를 0 이상의 정수로 적으세요",
    needWhen: "구매 일시를 고르세요", needOrder: "앞의 값이 뒤의 값보다 클 수 없습니다",
    rules: {
      GRADE_IN: "{list} 등급 고객만 참여할 수 있습니다.", GRADE_NOT_IN: "{list} 등급 고객은 참여할 수 없습니다.",
      REGION_IN: "{list} 지역 고객만 참여할 수 있습니다.", REGION_NOT_IN: "{list} 지역 고객은 참여할 수 없습니다.",
      AGE_GTE: "{a}세 이상 고객만 참여할 수 있습니다.", AGE_LTE: "{a}세 이하 고객만 참여할 수 있습니다.", AGE_BETWEEN: "{a}~{b}세 고객만 참여할 수 있습니다.",
      AGE_NOT_GTE: "{a}세 미만 고객만 참여할 수 있습니다.", AGE_NOT_LTE: "{a}세 초과 고객만 참여할 수 있습니다.", AGE_NOT_BETWEEN: "{a}~{b}세 고객은 참여할 수 없습니다.",
      RECENT_PURCHASE_GTE: "{a} 이후에 구매한 고객만 참여할 수 있습니다.", RECENT_PURCHASE_LTE: "마지막 구매가 {a} 이전인 고객만 참여할 수 있습니다.",
      RECENT_PURCHASE_BETWEEN: "마지막 구매가 {a} ~ {b} 사이인 고객만 참여할 수 있습니다.", RECENT_PURCHASE_NOT_BETWEEN: "마지막 구매가 {a} ~ {b} 사이인 고객은 참여할 수 없습니다."
    },
    missing: { profile: "회원 정보가 없습니다.", grade: "회원 정보에 등급이 없습니다.", age: "회원 정보에 나이가 없습니다.", region: "회원 정보에 지역이 없습니다.", lastPurchaseAt: "구매 이력이 없습니다." },
    shopBrand: "Axon 데모 상점", opensIn: "오픈까지 ", endsIn: "마감까지 ", dayUnit: "일 ", won: "당첨! 선착순 {n}번", paid: "결제 완료! 주문 번호 {n}", payWithin: "결제 가능 시간 ", close: "닫기",
    notOpenYet: "오픈 전입니다 · {when} 오픈", closedNow: "지금은 응모할 수 없습니다", ended: "종료된 이벤트입니다",
    shopErrors: {
      NOT_ELIGIBLE: "참여 조건을 충족하지 않습니다.", SOLD_OUT: "품절되었습니다. 남은 재고가 없습니다.", ACTIVITY_CLOSED: "지금은 응모할 수 없습니다. 진행 중인 이벤트가 아닙니다.",
      DUPLICATED: "이미 응모하셨습니다.", PRODUCT_MISMATCH: "이 이벤트의 상품이 아닙니다.", VALIDATION_ERROR: "요청을 처리할 수 없습니다. 입력을 확인해 주세요.",
      COUPON_NOT_CONFIGURED: "쿠폰이 아직 준비되지 않았습니다.", ACTIVITY_NOT_FOUND: "이벤트를 찾을 수 없습니다.", RATE_LIMITED: "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
      INVALID_TOKEN: "로그인 정보가 만료되었습니다. 다시 시도해 주세요.", RESERVATION_EXPIRED: "결제 시간이 만료되었습니다. 처음부터 다시 응모해주세요.",
      APPROVAL_EXPIRED: "결제 승인 시간이 만료되었습니다. 처음부터 다시 응모해주세요.", ALREADY_PAID: "이미 결제가 완료되었습니다.",
      PAYMENT_IN_PROGRESS: "결제를 처리하고 있습니다. 잠시 후 확인해 주세요.", INVALID_APPROVAL_TOKEN: "결제 승인 정보가 올바르지 않습니다. 처음부터 다시 응모해주세요.",
      TOKEN_NOT_YOURS: "다른 고객의 결제 정보입니다.", NOT_DEMO: "데모 모드에서만 응모할 수 있습니다.", NETWORK: "연결하지 못했습니다. 잠시 후 다시 시도해 주세요.",
      OTHER: "응모를 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."
    }
  });
  Object.assign(T.en, {
    logout: "Sign out", loginTitle: "Admin sign-in", loginKey: "Admin key", signIn: "Sign in", badKey: "Invalid key", activityTag: "Activity", campaignTag: "Campaign", events: "Events", people: "People", taken: "Sold or held",
    stepRates: "{rate} of the previous step · {first} of the first", health: "Health", ltvDays: "LTV {d}d", ltvNow: "LTV (now)", monthN: "M{n}",
    steps: { VISIT: "Visits", ENGAGE: "Engaged", QUALIFY: "Approved", PURCHASE: "Purchased" },
    weekdays: { MON: "Mon", TUE: "Tue", WED: "Wed", THU: "Thu", FRI: "Fri", SAT: "Sat", SUN: "Sun" },
    healthLabels: { GOOD: "Good", WARN: "Watch", BAD: "At risk" },
    types: { FIRST_COME_FIRST_SERVE: "First come, first served", COUPON: "Coupon", GIVEAWAY: "Giveaway" },
    statuses: { DRAFT: "Draft", ACTIVE: "Active", PAUSED: "Paused", ENDED: "Ended" },
    moves: { ACTIVE: "Start", RESUME: "Resume", PAUSED: "Pause", ENDED: "End" },
    entryStatuses: { APPROVED: "Approved", PAID: "Paid", CANCELLED: "Cancelled", REJECTED: "Rejected" },
    defs: {
      overview: "visits = page-view events attributed here · participants = click events · approved = first-come approvals granted in the period · purchases = purchase events · GMV = Σ price × quantity of promotion purchases · ROAS = GMV ÷ budget × 100",
      funnel: "visits = page views, engaged = clicks, approved = first-come approvals, purchased = purchase events; people = distinct persons (anonymous visitors merged into the user they signed in as); ordered = persons who took the steps in this order inside the period",
      cohort: "cohort = customers whose first promotion purchase of this activity falls in the cohort period; LTV counts every purchase of theirs (any type) from that first purchase on, per customer; day 30 is inside LTV 30d; a D-day window is complete once D + 1 days have passed since a customer's first purchase, until then it is the value so far"
    },
    newCampaign: "New campaign", newActivity: "New activity", editing: "Editing: {name}", campaignName: "Campaign name", activityName: "Activity name",
    budgetWon: "Budget (KRW)", priceWon: "Price (KRW)", type: "Type", product: "Product", noProduct: "No product", limit: "Stock limit", limitHint: "empty = unlimited",
    startDay: "Start date ({tz})", endDay: "End date ({tz}, inclusive)", campaign: "Campaign", save: "Save", cancel: "Cancel", edit: "Edit", actions: "Actions",
    user: "User", order: "Order", qty: "Qty", requested: "Requested at", unlimited: "Unlimited",
    apiErrors: { VALIDATION_ERROR: "Please check the form", INVALID_FILTER: "A filter is not valid", INVALID_STATUS_TRANSITION: "The status cannot change that way", UNKNOWN_PRODUCT: "No such product", MALFORMED_JSON: "The request was malformed" },
    filters: "Entry filters", filtersNone: "No filters · anyone can enter", filterAdd: "+ Add filter", filterRemove: "Remove filter", filterType: "Filter type", filterOp: "Comparison",
    filterTypes: { GRADE: "Grade", AGE: "Age", REGION: "Region", RECENT_PURCHASE: "Last purchase" },
    filterOps: { GTE: "at least", LTE: "at most", BETWEEN: "between", NOT_GTE: "under", NOT_LTE: "over", NOT_BETWEEN: "not between", IN: "one of", NOT_IN: "none of" },
    dateOps: { GTE: "on or after", LTE: "on or before", BETWEEN: "between", NOT_BETWEEN: "not between" },
    ageFrom: "Age", ageTo: "Age (to)", years: "years", whenFrom: "Purchase time", whenTo: "Purchase time (to)", regionList: "Regions (comma-separated)", regionPh: "comma-separated, as stored in profiles",
    filterErr: "Filter {n}: {what}", needGrade: "pick at least one grade", needRegion: "enter at least one region", needAge: "enter the age as a whole number ≥ 0",
    needWhen: "pick the purchase time", needOrder: "the first value cannot be greater than the second",
    rules: {
      GRADE_IN: "Only {list} members can enter.", GRADE_NOT_IN: "{list} members cannot enter.",
      REGION_IN: "Only customers in {list} can enter.", REGION_NOT_IN: "Customers in {list} cannot enter.",
      AGE_GTE: "Only customers aged {a} or over can enter.", AGE_LTE: "Only customers aged {a} or under can enter.", AGE_BETWEEN: "Only customers aged {a}–{b} can enter.",
      AGE_NOT_GTE: "Only customers under {a} can enter.", AGE_NOT_LTE: "Only customers over {a} can enter.", AGE_NOT_BETWEEN: "Customers aged {a}–{b} cannot enter.",
      RECENT_PURCHASE_GTE: "Only customers who bought on or after {a} can enter.", RECENT_PURCHASE_LTE: "Only customers whose last purchase was on or before {a} can enter.",
      RECENT_PURCHASE_BETWEEN: "Only customers whose last purchase was between {a} and {b} can enter.", RECENT_PURCHASE_NOT_BETWEEN: "Customers whose last purchase was between {a} and {b} cannot enter."
    },
    missing: { profile: "We have no profile for you.", grade: "Your profile has no grade.", age: "Your profile has no age.", region: "Your profile has no region.", lastPurchaseAt: "You have no purchase yet." },
    shopBrand: "Axon demo shop", opensIn: "Opens in ", endsIn: "Ends in ", dayUnit: "d ", won: "You're in! #{n}", paid: "Paid! Order {n}", payWithin: "Pay within ", close: "Close",
    notOpenYet: "Not open yet · opens {when}", closedNow: "Entries are closed right now", ended: "This event has ended",
    shopErrors: {
      NOT_ELIGIBLE: "You do not meet the conditions of this event.", SOLD_OUT: "Sold out: no stock is left.", ACTIVITY_CLOSED: "Entries are closed: this event is not running right now.",
      DUPLICATED: "You have already entered.", PRODUCT_MISMATCH: "That product is not part of this event.", VALIDATION_ERROR: "The request could not be processed.",
      COUPON_NOT_CONFIGURED: "The coupon is not ready yet.", ACTIVITY_NOT_FOUND: "This event does not exist.", RATE_LIMITED: "Too many requests. Please try again in a moment.",
      INVALID_TOKEN: "Your session has expired. Please try again.", RESERVATION_EXPIRED: "Your time to pay has run out. Please enter again from the start.",
      APPROVAL_EXPIRED: "The payment approval has expired. Please enter again from the start.", ALREADY_PAID: "This has already been paid.",
      PAYMENT_IN_PROGRESS: "Your payment is being processed. Please check again in a moment.", INVALID_APPROVAL_TOKEN: "The payment approval is not valid. Please enter again from the start.",
      TOKEN_NOT_YOURS: "This payment belongs to another customer.", NOT_DEMO: "Entries need the demo mode.", NETWORK: "Could not connect. Please try again in a moment.",
      OTHER: "Your entry could not be processed. Please try again in a moment."
    }
  });
