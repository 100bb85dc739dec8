<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN" sourcelanguage="en">
<!-- The kiosk screen's own words, English in the code, Vietnamese here. Compiled to .qm at start-up
     (ui/i18n/__init__.py); the .qm is never committed. Person-facing session messages are in kiosk/messages.toml. -->
<context>
    <name>kiosk</name>
    <message>
        <source>Text size</source>
        <translation>Cỡ chữ</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Tương phản cao</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>No operator PIN is set (KIOSK_OPERATOR_PIN).</source>
        <translation>Chưa đặt mã PIN nhân viên (KIOSK_OPERATOR_PIN).</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Wait %1 s.</source>
        <translation>Nhập sai quá nhiều lần. Vui lòng chờ %1 giây.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Sai mã PIN.</translation>
    </message>
    <message>
        <source>Staff only: enter the PIN</source>
        <translation>Dành cho nhân viên: nhập mã PIN</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Cấu hình</translation>
    </message>
    <message>
        <source>Outbox: waiting</source>
        <translation>Hàng đợi gửi: đang chờ</translation>
    </message>
    <message>
        <source>Outbox: failed</source>
        <translation>Hàng đợi gửi: lỗi</translation>
    </message>
    <message>
        <source>Outbox: delivered</source>
        <translation>Hàng đợi gửi: đã gửi</translation>
    </message>
    <message>
        <source>Outbox: oldest waiting</source>
        <translation>Hàng đợi gửi: chờ lâu nhất</translation>
    </message>
    <message>
        <source>Check-ins today</source>
        <translation>Lượt làm thủ tục hôm nay</translation>
    </message>
    <message>
        <source>checked in</source>
        <translation>hoàn tất</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>chờ gửi</translation>
    </message>
    <message>
        <source>sent to staff</source>
        <translation>chuyển nhân viên</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>từ chối</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>đã hủy</translation>
    </message>
    <message>
        <source>Median time per check-in</source>
        <translation>Thời gian trung vị mỗi lượt</translation>
    </message>
    <message>
        <source>Operator panel</source>
        <translation>Bảng điều khiển nhân viên</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Mục</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Tình trạng</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Bước</translation>
    </message>
    <message>
        <source>Median today</source>
        <translation>Trung vị hôm nay</translation>
    </message>
    <message>
        <source>Back to the kiosk</source>
        <translation>Quay lại màn hình chính</translation>
    </message>
    <message>
        <source>Run the checks</source>
        <translation>Chạy kiểm tra</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Hạng mục</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Cách khắc phục</translation>
    </message>
    <message>
        <source>Retry the outbox now</source>
        <translation>Gửi lại hàng đợi ngay</translation>
    </message>
    <message>
        <source>Boarding pass</source>
        <translation>Thẻ lên máy bay</translation>
    </message>
    <message>
        <source>Before the card</source>
        <translation>Trước khi đặt thẻ</translation>
    </message>
    <message>
        <source>Your agreement to the face check</source>
        <translation>Đồng ý kiểm tra khuôn mặt</translation>
    </message>
    <message>
        <source>Card on the reader</source>
        <translation>Thẻ trên đầu đọc</translation>
    </message>
    <message>
        <source>Card access code</source>
        <translation>Mã truy cập thẻ</translation>
    </message>
    <message>
        <source>Reading the chip</source>
        <translation>Đọc chip</translation>
    </message>
    <message>
        <source>Checking the card is genuine</source>
        <translation>Kiểm tra thẻ thật</translation>
    </message>
    <message>
        <source>Face check</source>
        <translation>Kiểm tra khuôn mặt</translation>
    </message>
    <message>
        <source>Live person check</source>
        <translation>Xác nhận người thật</translation>
    </message>
    <message>
        <source>Saving your check-in</source>
        <translation>Lưu thông tin làm thủ tục</translation>
    </message>
    <message>
        <source>Checking with the hospital</source>
        <translation>Kiểm tra với bệnh viện</translation>
    </message>
    <message>
        <source>Checking your boarding pass</source>
        <translation>Kiểm tra thẻ lên máy bay</translation>
    </message>
    <message>
        <source>Checking the candidate list</source>
        <translation>Kiểm tra danh sách thí sinh</translation>
    </message>
    <message>
        <source>Getting your queue number</source>
        <translation>Lấy số thứ tự</translation>
    </message>
    <message>
        <source>Hospital reception</source>
        <translation>Tiếp đón bệnh viện</translation>
    </message>
    <message>
        <source>Airport security check</source>
        <translation>Kiểm tra an ninh sân bay</translation>
    </message>
    <message>
        <source>Exam room check-in</source>
        <translation>Điểm danh phòng thi</translation>
    </message>
    <message>
        <source>Demo kiosk</source>
        <translation>Máy làm thủ tục (chế độ thử)</translation>
    </message>
    <message>
        <source>Check-in kiosk</source>
        <translation>Máy làm thủ tục</translation>
    </message>
    <message>
        <source>Check in with your chip ID card (CCCD)</source>
        <translation>Làm thủ tục bằng thẻ Căn cước gắn chip</translation>
    </message>
    <message>
        <source>Place your CCCD card flat on the reader, photo side up.</source>
        <translation>Đặt thẻ CCCD nằm phẳng trên đầu đọc, mặt có ảnh hướng lên.</translation>
    </message>
    <message>
        <source>Keep it still until the screen says the card is read.</source>
        <translation>Giữ yên thẻ cho đến khi màn hình báo đã đọc xong.</translation>
    </message>
    <message>
        <source>Then look at the camera when asked.</source>
        <translation>Sau đó nhìn vào máy ảnh khi được yêu cầu.</translation>
    </message>
    <message>
        <source>Scan your boarding pass here</source>
        <translation>Quét thẻ lên máy bay tại đây</translation>
    </message>
    <message>
        <source>Demo: the virtual card is used; tap the button to place it.</source>
        <translation>Chế độ thử: dùng thẻ ảo; chạm nút bên dưới để đặt thẻ.</translation>
    </message>
    <message>
        <source>Waiting for your card…</source>
        <translation>Đang chờ thẻ của bạn…</translation>
    </message>
    <message>
        <source>Start with the demo card</source>
        <translation>Bắt đầu với thẻ thử</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
    <message>
        <source>Reading your card</source>
        <translation>Đang đọc thẻ của bạn</translation>
    </message>
    <message>
        <source>Almost done</source>
        <translation>Sắp xong</translation>
    </message>
    <message>
        <source>Keep the card still on the reader.</source>
        <translation>Vui lòng giữ yên thẻ trên đầu đọc.</translation>
    </message>
    <message>
        <source>You can take your card now.</source>
        <translation>Bạn có thể lấy thẻ ra.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>May we check your face?</source>
        <translation>Bạn có đồng ý kiểm tra khuôn mặt?</translation>
    </message>
    <message>
        <source>To make sure the card is yours, the kiosk compares your face with the photo in the card's chip. The camera starts only if you agree. The pictures are used for this comparison only and are not stored.</source>
        <translation>Để xác nhận thẻ là của bạn, máy so sánh khuôn mặt của bạn với ảnh trong chip của thẻ. Máy ảnh chỉ bật khi bạn đồng ý. Hình ảnh chỉ dùng để so sánh và không được lưu lại.</translation>
    </message>
    <message>
        <source>Personal data protection: Decree 13/2023/NĐ-CP. If you do not agree, a staff member will check you in.</source>
        <translation>Bảo vệ dữ liệu cá nhân: Nghị định 13/2023/NĐ-CP. Nếu bạn không đồng ý, nhân viên sẽ làm thủ tục cho bạn.</translation>
    </message>
    <message>
        <source>I agree</source>
        <translation>Tôi đồng ý</translation>
    </message>
    <message>
        <source>I do not agree</source>
        <translation>Tôi không đồng ý</translation>
    </message>
    <message>
        <source>Stand in front of the camera and look straight at it.</source>
        <translation>Đứng trước máy ảnh và nhìn thẳng.</translation>
    </message>
    <message>
        <source>Come a little closer.</source>
        <translation>Vui lòng đến gần hơn một chút.</translation>
    </message>
    <message>
        <source>Step back a little.</source>
        <translation>Vui lòng lùi lại một chút.</translation>
    </message>
    <message>
        <source>More light is needed: face the light.</source>
        <translation>Cần thêm ánh sáng: vui lòng quay mặt về phía sáng.</translation>
    </message>
    <message>
        <source>Only one person in front of the camera, please.</source>
        <translation>Vui lòng chỉ một người đứng trước máy ảnh.</translation>
    </message>
    <message>
        <source>Good. Hold still…</source>
        <translation>Tốt. Giữ yên…</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>Nhìn vào máy ảnh</translation>
    </message>
    <message>
        <source>Please take off glasses, mask or hat.</source>
        <translation>Vui lòng bỏ kính, khẩu trang hoặc mũ.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Xong</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Đã làm thủ tục xong</translation>
    </message>
    <message>
        <source>Recorded: it will be sent automatically</source>
        <translation>Đã ghi nhận: sẽ được gửi tự động</translation>
    </message>
    <message>
        <source>Please see a staff member</source>
        <translation>Vui lòng gặp nhân viên</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>Được qua</translation>
    </message>
    <message>
        <source>See staff</source>
        <translation>Gặp nhân viên</translation>
    </message>
    <message>
        <source>Not cleared</source>
        <translation>Không được qua</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Your number</source>
        <translation>Số thứ tự của bạn</translation>
    </message>
    <message>
        <source>Go to</source>
        <translation>Mời đến</translation>
    </message>
    <message>
        <source>Flight</source>
        <translation>Chuyến bay</translation>
    </message>
    <message>
        <source>Seat</source>
        <translation>Ghế</translation>
    </message>
    <message>
        <source>Exam room</source>
        <translation>Phòng thi</translation>
    </message>
    <message>
        <source>Candidate number</source>
        <translation>Số báo danh</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>That did not work</source>
        <translation>Chưa thành công</translation>
    </message>
    <message>
        <source>Reference for staff</source>
        <translation>Mã tham chiếu cho nhân viên</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>đang chờ</translation>
    </message>
    <message>
        <source>now</source>
        <translation>đang làm</translation>
    </message>
    <message>
        <source>done</source>
        <translation>xong</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <source>Back to the start in %n s</source>
        <translation>Quay về màn hình đầu sau %n giây</translation>
    </message>
    <message>
        <source>More time</source>
        <translation>Thêm thời gian</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>Đang bật máy ảnh…</translation>
    </message>
    <message>
        <source>LEFT</source>
        <translation>TRÁI</translation>
    </message>
    <message>
        <source>RIGHT</source>
        <translation>PHẢI</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>Có mặt</translation>
    </message>
    <message>
        <source>Already checked in</source>
        <translation>Đã điểm danh trước đó</translation>
    </message>
    <message>
        <source>Show the QR code on the front of your card to the camera, or type your ID number.</source>
        <translation>Đưa mã QR ở mặt trước thẻ về phía máy ảnh, hoặc nhập số CCCD.</translation>
    </message>
    <message>
        <source>Type my number</source>
        <translation>Tôi muốn nhập số</translation>
    </message>
    <message>
        <source>Type your ID card number</source>
        <translation>Nhập số CCCD của bạn</translation>
    </message>
    <message>
        <source>The 12-digit number on your CCCD card, or the 6-digit CAN printed on the card's front.</source>
        <translation>Số CCCD gồm 12 chữ số, hoặc mã CAN gồm 6 chữ số in ở mặt trước thẻ.</translation>
    </message>
    <message>
        <source>The camera could not read the QR code on your card.</source>
        <translation>Máy ảnh chưa đọc được mã QR trên thẻ của bạn.</translation>
    </message>
    <message>
        <source>%1 of %2 digits</source>
        <translation>Đã nhập %1 / %2 chữ số</translation>
    </message>
    <message>
        <source>CAN</source>
        <translation>mã CAN</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Xóa hết</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Máy ảnh</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Chi tiết</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Tìm</translation>
    </message>
    <message>
        <source>I am still here</source>
        <translation>Tôi vẫn ở đây</translation>
    </message>
    <message>
        <source>I changed my mind</source>
        <translation>Tôi đổi ý</translation>
    </message>
    <message>
        <source>No check-in with this reference today.</source>
        <translation>Hôm nay không có lượt làm thủ tục nào với mã này.</translation>
    </message>
    <message>
        <source>Please go to the reception desk with your CCCD card: staff will check you in.</source>
        <translation>Vui lòng đến quầy tiếp đón cùng thẻ CCCD: nhân viên sẽ làm thủ tục cho bạn.</translation>
    </message>
    <message>
        <source>Please go to the staffed lane with your CCCD card and boarding pass.</source>
        <translation>Vui lòng đến làn kiểm tra có nhân viên cùng thẻ CCCD và thẻ lên máy bay.</translation>
    </message>
    <message>
        <source>Please see a staff member with your CCCD card.</source>
        <translation>Vui lòng gặp nhân viên cùng thẻ CCCD của bạn.</translation>
    </message>
    <message>
        <source>Please show your CCCD card to the exam supervisor at the door.</source>
        <translation>Vui lòng xuất trình thẻ CCCD cho cán bộ coi thi ở cửa phòng.</translation>
    </message>
    <message>
        <source>Please take your CCCD card from the reader.</source>
        <translation>Vui lòng lấy lại thẻ CCCD trên đầu đọc.</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>Đầu đọc thẻ</translation>
    </message>
    <message>
        <source>Reference shown to the person (6 characters)</source>
        <translation>Mã tham chiếu trên màn hình của người dân (6 ký tự)</translation>
    </message>
    <message>
        <source>Scan your boarding pass first.</source>
        <translation>Vui lòng quét thẻ lên máy bay trước.</translation>
    </message>
    <message>
        <source>Scan your boarding pass, then place your CCCD card flat on the reader.</source>
        <translation>Quét thẻ lên máy bay, rồi đặt thẻ CCCD nằm phẳng trên đầu đọc.</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Điểm đặt máy</translation>
    </message>
    <message>
        <source>Site store</source>
        <translation>Kho dữ liệu chung của điểm</translation>
    </message>
    <message>
        <source>Trust store</source>
        <translation>Kho chứng thư tin cậy</translation>
    </message>
    <message>
        <source>You chose not to use the camera</source>
        <translation>Bạn đã chọn không dùng máy ảnh</translation>
    </message>
    <message>
        <source>declined the camera</source>
        <translation>không đồng ý dùng máy ảnh</translation>
    </message>
    <message>
        <source>demo face</source>
        <translation>khuôn mặt mẫu</translation>
    </message>
    <message>
        <source>first PC/SC reader</source>
        <translation>đầu đọc PC/SC đầu tiên</translation>
    </message>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
    <message>
        <source>virtual card (demo)</source>
        <translation>thẻ ảo (chế độ thử)</translation>
    </message>
    <message>
        <source>virtual card test CSCA</source>
        <translation>CSCA thử nghiệm của thẻ ảo</translation>
    </message>
    <message>
        <source>Background delivery</source>
        <translation>Gửi nền</translation>
    </message>
    <message>
        <source>Destination system</source>
        <translation>Hệ thống tiếp nhận</translation>
    </message>
    <message>
        <source>none (this kiosk on its own)</source>
        <translation>không có (máy này hoạt động riêng)</translation>
    </message>
    <message>
        <source>online</source>
        <translation>đang kết nối</translation>
    </message>
    <message>
        <source>%1 check-ins being reconciled</source>
        <translation>%1 lượt đang được đối chiếu</translation>
    </message>
    <message>
        <source>offline since %1</source>
        <translation>mất kết nối từ %1</translation>
    </message>
    <message>
        <source>%1 check-ins not yet confirmed</source>
        <translation>%1 lượt chưa được xác nhận</translation>
    </message>
    <message>
        <source>running</source>
        <translation>đang chạy</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>đã dừng</translation>
    </message>
    <message>
        <source>answering</source>
        <translation>đang trả lời</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>không kết nối được</translation>
    </message>
    <message>
        <source>refusing check-ins</source>
        <translation>đang từ chối tiếp nhận</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>chưa rõ</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Kiểm tra</translation>
    </message>
    <message>
        <source>Photo in the card's chip</source>
        <translation>Ảnh trong chip của thẻ</translation>
    </message>
    <message>
        <source>Camera, just now</source>
        <translation>Máy ảnh, vừa chụp</translation>
    </message>
    <message>
        <source>The face check could not decide. Compare the two faces and the person in front of you; if they match, check the person in at the desk.</source>
        <translation>Máy chưa kết luận được khuôn mặt. Hãy so sánh hai ảnh với người trước mặt; nếu đúng là một người, làm thủ tục cho người đó tại quầy.</translation>
    </message>
</context>
</TS>
